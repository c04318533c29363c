export { ERROR_CODES, type ErrorCode } from './codes.ts';
export {
  BackfillError,
  byPosition,
  type Diagnostic,
  formatDiagnostic,
  hasErrors,
} from './diagnostic.ts';
export { MAX_QUOTED, quote } from './quote.ts';
