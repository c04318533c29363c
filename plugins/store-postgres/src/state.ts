import type {
  Checkpoint,
  ChunkMark,
  ChunkRow,
  DeadLetterInput,
  DeadLetterRow,
  GapInput,
  GapRow,
  LeaseRow,
  PlannedChunk,
  RunCounts,
  RunEnd,
  RunRow,
  RunStart,
  StateBackend,
} from '@backfill/plugin-kit';
import type pg from 'pg';

import { inTransaction } from './connection.ts';
import { storeError } from './errors.ts';
import {
  type Row,
  toChunk,
  toDeadLetter,
  toGap,
  toLease,
  toRun,
} from './rows.ts';

/** A pool or one connection inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * How often acquireLease tries again when the lease it lost to vanished
 * before it could read it: a release racing our insert. Two tries settle
 * it unless holders churn without end.
 */
const LEASE_RACE_TRIES = 5;

/** The ledger (StateBackend) in the store's Postgres schema. */
export class PostgresState implements StateBackend {
  readonly #pool: pg.Pool;
  readonly #s: string;

  /** `schema` is the quoted schema name the tables live in. */
  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#s = schema;
  }

  /** The checkpoint's statements; the caller owns the transaction. */
  async checkpointNow(db: Queryable, checkpoint: Checkpoint): Promise<void> {
    const at = checkpoint.at ?? new Date().toISOString();
    await db.query(
      `UPDATE ${this.#s}.chunks SET "cursor" = $1::jsonb,
         records = records + $2, progress = coalesce($3, progress),
         updated_at = $4
       WHERE pipeline = $5 AND id = $6`,
      [
        JSON.stringify(checkpoint.cursor),
        checkpoint.records ?? 0,
        checkpoint.progress ?? null,
        at,
        checkpoint.pipeline,
        checkpoint.chunkId,
      ],
    );
    const gaps = (checkpoint.gaps ?? []).map((gap) => ({
      ...gap,
      pipeline: checkpoint.pipeline,
      runId: checkpoint.runId,
      chunkId: checkpoint.chunkId,
      at,
    }));
    await this.#insertGaps(db, gaps);
  }

  async startRun(run: RunStart): Promise<void> {
    await this.#query(
      'start run',
      `INSERT INTO ${this.#s}.runs (id, pipeline, status, started_at,
         "window", holder)
       VALUES ($1, $2, 'running', $3, $4::jsonb, $5)`,
      [
        run.id,
        run.pipeline,
        run.startedAt,
        JSON.stringify(run.window),
        run.holder,
      ],
    );
  }

  async updateRun(runId: string, counts: RunCounts): Promise<void> {
    await this.#query(
      'update run',
      `UPDATE ${this.#s}.runs SET records_fetched = $1, records_stored = $2,
         records_dead_lettered = $3 WHERE id = $4`,
      [
        counts.recordsFetched,
        counts.recordsStored,
        counts.recordsDeadLettered,
        runId,
      ],
    );
  }

  async finishRun(runId: string, end: RunEnd): Promise<void> {
    await this.#query(
      'finish run',
      `UPDATE ${this.#s}.runs SET status = $1, ended_at = $2,
         records_fetched = $3, records_stored = $4,
         records_dead_lettered = $5, error = $6
       WHERE id = $7`,
      [
        end.status,
        end.endedAt,
        end.recordsFetched,
        end.recordsStored,
        end.recordsDeadLettered,
        end.error ?? null,
        runId,
      ],
    );
  }

  async listRuns(
    query: { pipeline?: string; limit?: number } = {},
  ): Promise<RunRow[]> {
    // LIMIT NULL is no limit; seq breaks ties as SQLite's rowid does.
    const rows = await this.#query(
      'list runs',
      `SELECT * FROM ${this.#s}.runs
       WHERE ($1::text IS NULL OR pipeline = $1)
       ORDER BY started_at DESC, seq DESC LIMIT $2`,
      [query.pipeline ?? null, query.limit ?? null],
    );
    return rows.map(toRun);
  }

  async planChunks(
    pipeline: string,
    chunks: PlannedChunk[],
  ): Promise<ChunkRow[]> {
    const at = new Date().toISOString();
    const rows = await this.#transaction('plan chunks', async (db) => {
      await db.query(
        `INSERT INTO ${this.#s}.chunks
           (pipeline, id, "range", range_start, state, updated_at)
         SELECT $1, u.id, u.range::jsonb, u.range_start, 'pending', $2
         FROM unnest($3::text[], $4::text[], $5::text[])
           AS u(id, range, range_start)
         ON CONFLICT DO NOTHING`,
        [
          pipeline,
          at,
          chunks.map((c) => c.id),
          chunks.map((c) => JSON.stringify(c.range)),
          chunks.map(rangeStart),
        ],
      );
      const result = await db.query(
        `SELECT * FROM ${this.#s}.chunks
         WHERE pipeline = $1 AND id = ANY($2::text[])`,
        [pipeline, chunks.map((c) => c.id)],
      );
      return result.rows as Row[];
    });
    const byId = new Map(rows.map((r) => [r.id as string, toChunk(r)]));
    return chunks.map((c) => byId.get(c.id) as ChunkRow);
  }

  async listChunks(pipeline: string): Promise<ChunkRow[]> {
    const rows = await this.#query(
      'list chunks',
      `SELECT * FROM ${this.#s}.chunks WHERE pipeline = $1
       ORDER BY range_start COLLATE "C", id COLLATE "C"`,
      [pipeline],
    );
    return rows.map(toChunk);
  }

  async markChunk(
    pipeline: string,
    chunkId: string,
    mark: ChunkMark,
  ): Promise<void> {
    const reset = mark.reset === true;
    await this.#query(
      'mark chunk',
      `UPDATE ${this.#s}.chunks SET state = $1, run_id = $2, updated_at = $3,
         attempts = coalesce($4, attempts),
         last_error = CASE WHEN $5 THEN $6 ELSE last_error END,
         "cursor" = CASE WHEN $7 THEN NULL ELSE "cursor" END,
         records = CASE WHEN $7 THEN 0 ELSE records END,
         progress = CASE WHEN $7 THEN NULL ELSE progress END
       WHERE pipeline = $8 AND id = $9`,
      [
        mark.state,
        mark.runId,
        mark.at,
        mark.attempts ?? null,
        mark.error !== undefined,
        mark.error ?? null,
        reset,
        pipeline,
        chunkId,
      ],
    );
  }

  async commitCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await this.#transaction('commit checkpoint', (db) =>
      this.checkpointNow(db, checkpoint),
    );
  }

  async acquireLease(
    lease: LeaseRow,
    takeOverFrom?: string,
  ): Promise<{ acquired: boolean; lease: LeaseRow }> {
    for (let i = 0; i < LEASE_RACE_TRIES; i++) {
      // One statement is the compare and swap: the insert wins a free
      // lease; on conflict the row is locked and the update happens only
      // when its holder, re-read after any concurrent writer committed,
      // is the one we may take over from. NULL matches no holder.
      const taken = await this.#query(
        'acquire lease',
        `INSERT INTO ${this.#s}.leases
           (pipeline, holder, host, pid, run_id, since, heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder,
           host = excluded.host, pid = excluded.pid,
           run_id = excluded.run_id, since = excluded.since,
           heartbeat_at = excluded.heartbeat_at
         WHERE leases.holder = $8::text
         RETURNING *`,
        [
          lease.pipeline,
          lease.holder,
          lease.host,
          lease.pid,
          lease.runId,
          lease.since,
          lease.heartbeatAt,
          takeOverFrom ?? null,
        ],
      );
      if (taken[0]) return { acquired: true, lease: toLease(taken[0]) };
      const current = await this.getLease(lease.pipeline);
      if (current) {
        return { acquired: current.holder === lease.holder, lease: current };
      }
    }
    throw storeError(
      new Error('the lease changed hands on every try'),
      'acquire lease',
      { pipeline: lease.pipeline },
    );
  }

  async heartbeatLease(
    pipeline: string,
    holder: string,
    at: string,
  ): Promise<boolean> {
    const result = await this.#pool
      .query(
        `UPDATE ${this.#s}.leases SET heartbeat_at = $1
         WHERE pipeline = $2 AND holder = $3`,
        [at, pipeline, holder],
      )
      .catch((error) => {
        throw storeError(error, 'heartbeat lease');
      });
    return result.rowCount === 1;
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    await this.#query(
      'release lease',
      `DELETE FROM ${this.#s}.leases WHERE pipeline = $1 AND holder = $2`,
      [pipeline, holder],
    );
  }

  async getLease(pipeline: string): Promise<LeaseRow | null> {
    const rows = await this.#query(
      'read lease',
      `SELECT * FROM ${this.#s}.leases WHERE pipeline = $1`,
      [pipeline],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  async addDeadLetters(letters: DeadLetterInput[]): Promise<void> {
    if (letters.length === 0) return;
    // unnest keeps the input order, so ids follow it as SQLite's do.
    await this.#query(
      'add dead letters',
      `INSERT INTO ${this.#s}.dead_letters (pipeline, run_id, chunk_id,
         collection, stage, record_key, record, error_code, error_message,
         attempts, created_at)
       SELECT u.pipeline, u.run_id, u.chunk_id, u.collection, u.stage,
         u.record_key, u.record::jsonb, u.error_code, u.error_message,
         u.attempts, u.created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
         $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::int[], $11::timestamptz[]) WITH ORDINALITY
         AS u(pipeline, run_id, chunk_id, collection, stage, record_key,
           record, error_code, error_message, attempts, created_at, n)
       ORDER BY u.n`,
      [
        letters.map((l) => l.pipeline),
        letters.map((l) => l.runId),
        letters.map((l) => l.chunkId),
        letters.map((l) => l.collection),
        letters.map((l) => l.stage),
        letters.map((l) => l.record.key),
        letters.map((l) => JSON.stringify(l.record)),
        letters.map((l) => l.errorCode),
        letters.map((l) => l.errorMessage),
        letters.map((l) => l.attempts),
        letters.map((l) => l.at),
      ],
    );
  }

  async listDeadLetters(pipeline?: string): Promise<DeadLetterRow[]> {
    const rows = await this.#query(
      'list dead letters',
      `SELECT * FROM ${this.#s}.dead_letters
       WHERE ($1::text IS NULL OR pipeline = $1) ORDER BY id`,
      [pipeline ?? null],
    );
    return rows.map(toDeadLetter);
  }

  async removeDeadLetter(id: number): Promise<void> {
    await this.#query(
      'remove dead letter',
      `DELETE FROM ${this.#s}.dead_letters WHERE id = $1`,
      [id],
    );
  }

  async addGaps(gaps: GapInput[]): Promise<void> {
    try {
      await this.#insertGaps(this.#pool, gaps);
    } catch (error) {
      throw storeError(error, 'add gaps');
    }
  }

  async listGaps(pipeline?: string): Promise<GapRow[]> {
    const rows = await this.#query(
      'list gaps',
      `SELECT * FROM ${this.#s}.gaps
       WHERE ($1::text IS NULL OR pipeline = $1) ORDER BY id`,
      [pipeline ?? null],
    );
    return rows.map(toGap);
  }

  async #insertGaps(db: Queryable, gaps: GapInput[]): Promise<void> {
    if (gaps.length === 0) return;
    await db.query(
      `INSERT INTO ${this.#s}.gaps
         (pipeline, run_id, chunk_id, ref, reason, created_at)
       SELECT u.pipeline, u.run_id, u.chunk_id, u.ref, u.reason, u.created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
         $5::text[], $6::timestamptz[]) WITH ORDINALITY
         AS u(pipeline, run_id, chunk_id, ref, reason, created_at, n)
       ORDER BY u.n`,
      [
        gaps.map((g) => g.pipeline),
        gaps.map((g) => g.runId),
        gaps.map((g) => g.chunkId),
        gaps.map((g) => g.ref),
        gaps.map((g) => g.reason),
        gaps.map((g) => g.at),
      ],
    );
  }

  async #query(what: string, sql: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.#pool.query(sql, values)).rows as Row[];
    } catch (error) {
      throw storeError(error, what);
    }
  }

  async #transaction<T>(
    what: string,
    work: (db: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await inTransaction(this.#pool, work);
    } catch (error) {
      throw storeError(error, what);
    }
  }
}

// ---------------------------------------------------------------------------

/** Sorts time and slot ranges alike: ISO text, or zero-padded slot. */
function rangeStart(chunk: PlannedChunk): string {
  const r = chunk.range;
  return r.kind === 'time' ? r.from : String(r.start).padStart(16, '0');
}
