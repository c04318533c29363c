// `backfill` in a child process, exactly as a user runs it, and what it
// left in the default SQLite store under its working folder.
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { type CliResult, runBackfill } from '../support/cli.ts';

export type { CliResult };

/** Runs `backfill ...args` in `cwd` with `env` added to this one's. */
export function backfill(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return runBackfill(args, { cwd, env: { NO_COLOR: '1', ...env } });
}

/** Keys stored per table of `<cwd>/.backfill/backfill.db`, sorted. */
export function storedKeys(
  cwd: string,
  tables: string[],
): Record<string, string[]> {
  const db = new Database(join(cwd, '.backfill', 'backfill.db'), {
    readonly: true,
  });
  try {
    const out: Record<string, string[]> = {};
    for (const table of tables) {
      const exists = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?")
        .get(table);
      out[table] = exists
        ? (
            db
              .prepare(`SELECT key FROM "${table}" ORDER BY key`)
              .all() as Array<{
              key: string;
            }>
          ).map((row) => row.key)
        : [];
    }
    return out;
  } finally {
    db.close();
  }
}
