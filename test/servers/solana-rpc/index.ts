export {
  generatedHistory,
  LEVERAGE,
  MARGINFI,
} from '../../fixtures/solana/generate.ts';
export { DEMO_SLOTS, demoHistory, demoTipSlot } from './demo-history.ts';
export type {
  AccountEntry,
  ChainHistory,
  SignatureEntry,
  TransactionResult,
} from './history.ts';
export { mergeHistories } from './history.ts';
export type { SkippedSlotStyle } from './methods.ts';
export {
  mainnetSlotAt,
  mainnetTimeOf,
  recordedHistory,
} from './recorded.ts';
export type {
  SolanaRpcServer,
  SolanaRpcServerOptions,
  SolanaRpcStats,
} from './server.ts';
export { defaultHistory, startSolanaRpcServer } from './server.ts';
