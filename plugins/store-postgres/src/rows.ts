import type {
  ChunkRow,
  DeadLetterRow,
  GapRow,
  LeaseRow,
  RunRow,
} from '@backfill/plugin-kit';

/** A row as pg returns it: JSONB parsed, timestamptz a Date, int8 text. */
export type Row = Record<string, unknown>;

export function toRun(r: Row): RunRow {
  return {
    id: r.id as string,
    pipeline: r.pipeline as string,
    status: r.status as RunRow['status'],
    startedAt: iso(r.started_at),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
    window: r.window as RunRow['window'],
    holder: r.holder as string,
    recordsFetched: Number(r.records_fetched),
    recordsStored: Number(r.records_stored),
    recordsDeadLettered: Number(r.records_dead_lettered),
    error: (r.error as string | null) ?? null,
  };
}

export function toChunk(r: Row): ChunkRow {
  return {
    pipeline: r.pipeline as string,
    id: r.id as string,
    range: r.range as ChunkRow['range'],
    state: r.state as ChunkRow['state'],
    attempts: r.attempts as number,
    cursor: (r.cursor as ChunkRow['cursor']) ?? null,
    records: Number(r.records),
    progress: (r.progress as number | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    runId: (r.run_id as string | null) ?? null,
    updatedAt: iso(r.updated_at),
  };
}

export function toLease(r: Row): LeaseRow {
  return {
    pipeline: r.pipeline as string,
    holder: r.holder as string,
    host: r.host as string,
    pid: r.pid as number,
    runId: r.run_id as string,
    since: iso(r.since),
    heartbeatAt: iso(r.heartbeat_at),
  };
}

export function toDeadLetter(r: Row): DeadLetterRow {
  return {
    id: Number(r.id),
    pipeline: r.pipeline as string,
    runId: r.run_id as string,
    chunkId: r.chunk_id as string,
    collection: r.collection as string,
    stage: r.stage as DeadLetterRow['stage'],
    record: r.record as DeadLetterRow['record'],
    errorCode: r.error_code as string,
    errorMessage: r.error_message as string,
    attempts: r.attempts as number,
    at: iso(r.created_at),
  };
}

export function toGap(r: Row): GapRow {
  return {
    id: Number(r.id),
    pipeline: r.pipeline as string,
    runId: r.run_id as string,
    chunkId: r.chunk_id as string,
    ref: r.ref as string,
    reason: r.reason as string,
    at: iso(r.created_at),
  };
}

/**
 * Times go in as ISO text and come back as ISO-8601 UTC with milliseconds,
 * the form the engine writes: `2026-01-02T03:04:05.000Z`.
 */
function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
