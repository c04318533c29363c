import Database from 'better-sqlite3';

/** What the demo's database holds after its runs. */
export interface DemoReport {
  /** Rows of the `chain` table by program alias (or address). */
  byProgram: Record<string, number>;
  records: number;
  failed: number;
  /** Records a source could not get, oldest first: the run still succeeds. */
  gaps: DemoGap[];
  /** Each run's pipeline, status and time window. */
  runs: Array<{ pipeline: string; status: string; from: string; to: string }>;
}

/** One row of the ledger's `gaps` table. */
export interface DemoGap {
  pipeline: string;
  /** `program:signature` for the chain source. */
  ref: string;
  reason: string;
}

export function readReport(file: string): DemoReport {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT coalesce(json_extract(data, '$.program_alias'),
                         json_extract(data, '$.program_id')) AS program,
                count(*) AS n,
                sum(json_extract(data, '$.err') IS NOT NULL) AS failed
           FROM chain GROUP BY program ORDER BY n DESC`,
      )
      .all() as Array<{ program: string; n: number; failed: number }>;
    const gaps = db
      .prepare('SELECT pipeline, ref, reason FROM gaps ORDER BY id')
      .all() as DemoGap[];
    const runs = db
      .prepare('SELECT pipeline, status, window FROM runs ORDER BY started_at')
      .all() as Array<{ pipeline: string; status: string; window: string }>;
    return {
      byProgram: Object.fromEntries(rows.map((r) => [r.program, r.n])),
      records: rows.reduce((n, r) => n + r.n, 0),
      failed: rows.reduce((n, r) => n + r.failed, 0),
      gaps,
      runs: runs.map((r) => {
        const window = JSON.parse(r.window) as { from: string; to: string };
        return { ...r, from: window.from, to: window.to };
      }),
    };
  } finally {
    db.close();
  }
}

/** One gap on one line: signature, program, pipeline, the source's reason. */
export function gapLine(gap: DemoGap): string {
  const at = gap.ref.lastIndexOf(':');
  const signature = gap.ref.slice(at + 1);
  const owner = at > 0 ? `${gap.ref.slice(0, 8)}..., ` : '';
  return `${signature} (${owner}${gap.pipeline}): ${gap.reason}`;
}
