import { type ChainRpc, nodeError } from './rpc.ts';

export interface BodyOptions {
  commitment: 'finalized' | 'confirmed';
  batchRpc: boolean;
  /** Waits before asking again for a null transaction, ms each. */
  nullRetryDelaysMs: number[];
}

/** Calls per JSON-RPC batch when batching is on. */
export const CALLS_PER_BATCH = 100;
/** getTransaction calls a walk keeps pending at once (the limiter's flight). */
const IN_FLIGHT = 16;

/**
 * The transactions of a page of signatures, fetched as a stream: IN_FLIGHT
 * calls pending at all times (or JSON-RPC batches of 100), each body a
 * promise the walk awaits in page order, so records go out as soon as
 * those before them are in, and the flight never drains between windows.
 * A body is null when the node still had none after the retries.
 */
export class PageBodies {
  readonly #bodies = new Map<string, Promise<unknown>>();
  #stopped = false;

  constructor(
    readonly rpc: ChainRpc,
    signatures: string[],
    readonly options: BodyOptions,
  ) {
    const pending = signatures.map((signature) => {
      let settle!: { resolve(v: unknown): void; reject(e: unknown): void };
      const body = new Promise<unknown>((resolve, reject) => {
        settle = { resolve, reject };
      });
      // The walk may stop before awaiting it: no unhandled rejection.
      body.catch(() => {});
      this.#bodies.set(signature, body);
      return { signature, ...settle };
    });
    if (options.batchRpc) this.#inBatches(pending);
    else this.#inFlight(pending);
  }

  /** The body of a signature of the page (null: none after retries). */
  body(signature: string): Promise<unknown> {
    return this.#bodies.get(signature) ?? Promise.resolve(null);
  }

  /** Starts no further call (the walk ended or failed). */
  stop(): void {
    this.#stopped = true;
  }

  #inFlight(pending: Pending[]): void {
    let next = 0;
    const worker = async () => {
      while (!this.#stopped && next < pending.length) {
        const item = pending[next++] as Pending;
        try {
          item.resolve(await this.#retried(item.signature, 0));
        } catch (error) {
          item.reject(error);
          this.stop();
        }
      }
    };
    for (let i = 0; i < IN_FLIGHT; i++) void worker();
  }

  #inBatches(pending: Pending[]): void {
    for (let at = 0; at < pending.length; at += CALLS_PER_BATCH) {
      const group = pending.slice(at, at + CALLS_PER_BATCH);
      const calls = group.map((item) => ({
        method: 'getTransaction',
        params: this.#params(item.signature),
      }));
      this.rpc.batch(calls).then(
        (replies) =>
          group.forEach((item, i) => {
            const reply = replies[i];
            if (reply?.error) {
              item.reject(nodeError('getTransaction', reply.error));
            } else if (reply?.result) {
              item.resolve(reply.result);
            } else {
              this.#retried(item.signature, 1).then(item.resolve, item.reject);
            }
          }),
        (error) => {
          for (const item of group) item.reject(error);
        },
      );
    }
  }

  /** getTransaction, asked again after each delay while the body is null. */
  async #retried(signature: string, from: number): Promise<unknown> {
    const delays = [0, ...this.options.nullRetryDelaysMs];
    for (let attempt = from; attempt < delays.length; attempt++) {
      const wait = delays[attempt] as number;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const body = await this.rpc.call<unknown>(
        'getTransaction',
        this.#params(signature),
      );
      if (body) return body;
    }
    return null;
  }

  #params(signature: string): unknown[] {
    return [
      signature,
      {
        encoding: 'json',
        commitment: this.options.commitment,
        maxSupportedTransactionVersion: 1,
      },
    ];
  }
}

interface Pending {
  signature: string;
  resolve(body: unknown): void;
  reject(error: unknown): void;
}
