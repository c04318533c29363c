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
import type Database from 'better-sqlite3';

type Row = Record<string, unknown>;

/** The ledger (StateBackend) on the store's own SQLite connection. */
export class SqliteState implements StateBackend {
  readonly #db: Database.Database;
  readonly #checkpoint: Database.Statement;
  readonly #gap: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#checkpoint = db.prepare(
      `UPDATE chunks SET cursor = ?, records = records + ?,
         progress = coalesce(?, progress), updated_at = ?
       WHERE pipeline = ? AND id = ?`,
    );
    this.#gap = db.prepare(
      `INSERT INTO gaps (pipeline, run_id, chunk_id, ref, reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  /** The checkpoint's statements; the caller owns the transaction. */
  checkpointNow(checkpoint: Checkpoint): void {
    const at = checkpoint.at ?? new Date().toISOString();
    this.#checkpoint.run(
      JSON.stringify(checkpoint.cursor),
      checkpoint.records ?? 0,
      checkpoint.progress ?? null,
      at,
      checkpoint.pipeline,
      checkpoint.chunkId,
    );
    for (const gap of checkpoint.gaps ?? []) {
      this.#gap.run(
        checkpoint.pipeline,
        checkpoint.runId,
        checkpoint.chunkId,
        gap.ref,
        gap.reason,
        at,
      );
    }
  }

  async startRun(run: RunStart): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO runs (id, pipeline, status, started_at, window, holder)
         VALUES (?, ?, 'running', ?, ?, ?)`,
      )
      .run(
        run.id,
        run.pipeline,
        run.startedAt,
        JSON.stringify(run.window),
        run.holder,
      );
  }

  async updateRun(runId: string, counts: RunCounts): Promise<void> {
    this.#db
      .prepare(
        `UPDATE runs SET records_fetched = ?, records_stored = ?,
           records_dead_lettered = ? WHERE id = ?`,
      )
      .run(
        counts.recordsFetched,
        counts.recordsStored,
        counts.recordsDeadLettered,
        runId,
      );
  }

  async finishRun(runId: string, end: RunEnd): Promise<void> {
    this.#db
      .prepare(
        `UPDATE runs SET status = ?, ended_at = ?, records_fetched = ?,
           records_stored = ?, records_dead_lettered = ?, error = ?
         WHERE id = ?`,
      )
      .run(
        end.status,
        end.endedAt,
        end.recordsFetched,
        end.recordsStored,
        end.recordsDeadLettered,
        end.error ?? null,
        runId,
      );
  }

  async listRuns(
    query: { pipeline?: string; limit?: number } = {},
  ): Promise<RunRow[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM runs WHERE (@pipeline IS NULL OR pipeline = @pipeline)
         ORDER BY started_at DESC, rowid DESC LIMIT @limit`,
      )
      .all({
        pipeline: query.pipeline ?? null,
        limit: query.limit ?? -1,
      }) as Row[];
    return rows.map(toRun);
  }

  async planChunks(
    pipeline: string,
    chunks: PlannedChunk[],
  ): Promise<ChunkRow[]> {
    const insert = this.#db.prepare(
      `INSERT INTO chunks (pipeline, id, range, range_start, state, updated_at)
       VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING`,
    );
    const select = this.#db.prepare(
      'SELECT * FROM chunks WHERE pipeline = ? AND id = ?',
    );
    const at = new Date().toISOString();
    const plan = this.#db.transaction(() =>
      chunks.map((chunk) => {
        insert.run(
          pipeline,
          chunk.id,
          JSON.stringify(chunk.range),
          rangeStart(chunk),
          at,
        );
        return toChunk(select.get(pipeline, chunk.id) as Row);
      }),
    );
    return plan();
  }

  async listChunks(pipeline: string): Promise<ChunkRow[]> {
    const rows = this.#db
      .prepare(
        'SELECT * FROM chunks WHERE pipeline = ? ORDER BY range_start, id',
      )
      .all(pipeline) as Row[];
    return rows.map(toChunk);
  }

  async markChunk(
    pipeline: string,
    chunkId: string,
    mark: ChunkMark,
  ): Promise<void> {
    const reset = mark.reset ? 1 : 0;
    this.#db
      .prepare(
        `UPDATE chunks SET state = ?, run_id = ?, updated_at = ?,
           attempts = coalesce(?, attempts),
           last_error = CASE WHEN ? THEN ? ELSE last_error END,
           cursor = CASE WHEN ? THEN NULL ELSE cursor END,
           records = CASE WHEN ? THEN 0 ELSE records END,
           progress = CASE WHEN ? THEN NULL ELSE progress END
         WHERE pipeline = ? AND id = ?`,
      )
      .run(
        mark.state,
        mark.runId,
        mark.at,
        mark.attempts ?? null,
        mark.error === undefined ? 0 : 1,
        mark.error ?? null,
        reset,
        reset,
        reset,
        pipeline,
        chunkId,
      );
  }

  async commitCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.#db.transaction(() => this.checkpointNow(checkpoint))();
  }

  async acquireLease(
    lease: LeaseRow,
    takeOverFrom?: string,
  ): Promise<{ acquired: boolean; lease: LeaseRow }> {
    const take = this.#db.transaction(() => {
      const current = this.#lease(lease.pipeline);
      if (current && current.holder !== takeOverFrom) {
        return { acquired: current.holder === lease.holder, lease: current };
      }
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO leases
             (pipeline, holder, host, pid, run_id, since, heartbeat_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          lease.pipeline,
          lease.holder,
          lease.host,
          lease.pid,
          lease.runId,
          lease.since,
          lease.heartbeatAt,
        );
      return { acquired: true, lease };
    });
    // IMMEDIATE: take the write lock before reading, so that two processes
    // cannot both see a free lease.
    return take.immediate();
  }

  async heartbeatLease(
    pipeline: string,
    holder: string,
    at: string,
  ): Promise<boolean> {
    const result = this.#db
      .prepare(
        'UPDATE leases SET heartbeat_at = ? WHERE pipeline = ? AND holder = ?',
      )
      .run(at, pipeline, holder);
    return result.changes === 1;
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    this.#db
      .prepare('DELETE FROM leases WHERE pipeline = ? AND holder = ?')
      .run(pipeline, holder);
  }

  async getLease(pipeline: string): Promise<LeaseRow | null> {
    return this.#lease(pipeline);
  }

  async addDeadLetters(letters: DeadLetterInput[]): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT INTO dead_letters (pipeline, run_id, chunk_id, collection, stage,
         record_key, record, error_code, error_message, attempts, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      for (const l of letters) {
        insert.run(
          l.pipeline,
          l.runId,
          l.chunkId,
          l.collection,
          l.stage,
          l.record.key,
          JSON.stringify(l.record),
          l.errorCode,
          l.errorMessage,
          l.attempts,
          l.at,
        );
      }
    })();
  }

  async listDeadLetters(pipeline?: string): Promise<DeadLetterRow[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM dead_letters
         WHERE (@pipeline IS NULL OR pipeline = @pipeline) ORDER BY id`,
      )
      .all({ pipeline: pipeline ?? null }) as Row[];
    return rows.map((r) => ({
      id: r.id as number,
      pipeline: r.pipeline as string,
      runId: r.run_id as string,
      chunkId: r.chunk_id as string,
      collection: r.collection as string,
      stage: r.stage as 'transform' | 'store',
      record: JSON.parse(r.record as string),
      errorCode: r.error_code as string,
      errorMessage: r.error_message as string,
      attempts: r.attempts as number,
      at: r.created_at as string,
    }));
  }

  async removeDeadLetter(id: number): Promise<void> {
    this.#db.prepare('DELETE FROM dead_letters WHERE id = ?').run(id);
  }

  async addGaps(gaps: GapInput[]): Promise<void> {
    this.#db.transaction(() => {
      for (const g of gaps) {
        this.#gap.run(g.pipeline, g.runId, g.chunkId, g.ref, g.reason, g.at);
      }
    })();
  }

  async listGaps(pipeline?: string): Promise<GapRow[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM gaps
         WHERE (@pipeline IS NULL OR pipeline = @pipeline) ORDER BY id`,
      )
      .all({ pipeline: pipeline ?? null }) as Row[];
    return rows.map((r) => ({
      id: r.id as number,
      pipeline: r.pipeline as string,
      runId: r.run_id as string,
      chunkId: r.chunk_id as string,
      ref: r.ref as string,
      reason: r.reason as string,
      at: r.created_at as string,
    }));
  }

  #lease(pipeline: string): LeaseRow | null {
    const r = this.#db
      .prepare('SELECT * FROM leases WHERE pipeline = ?')
      .get(pipeline) as Row | undefined;
    if (!r) return null;
    return {
      pipeline: r.pipeline as string,
      holder: r.holder as string,
      host: r.host as string,
      pid: r.pid as number,
      runId: r.run_id as string,
      since: r.since as string,
      heartbeatAt: r.heartbeat_at as string,
    };
  }
}

// ---------------------------------------------------------------------------

/** Sorts time and slot ranges alike: ISO text, or zero-padded slot. */
function rangeStart(chunk: PlannedChunk): string {
  const r = chunk.range;
  return r.kind === 'time' ? r.from : String(r.start).padStart(16, '0');
}

function toRun(r: Row): RunRow {
  return {
    id: r.id as string,
    pipeline: r.pipeline as string,
    status: r.status as RunRow['status'],
    startedAt: r.started_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
    window: JSON.parse(r.window as string),
    holder: r.holder as string,
    recordsFetched: r.records_fetched as number,
    recordsStored: r.records_stored as number,
    recordsDeadLettered: r.records_dead_lettered as number,
    error: (r.error as string | null) ?? null,
  };
}

function toChunk(r: Row): ChunkRow {
  return {
    pipeline: r.pipeline as string,
    id: r.id as string,
    range: JSON.parse(r.range as string),
    state: r.state as ChunkRow['state'],
    attempts: r.attempts as number,
    cursor: r.cursor === null ? null : JSON.parse(r.cursor as string),
    records: r.records as number,
    progress: (r.progress as number | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    runId: (r.run_id as string | null) ?? null,
    updatedAt: r.updated_at as string,
  };
}
