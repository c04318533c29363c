import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway PostgreSQL server for one test file. */
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  stop(): void;
}

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin'];

/**
 * Why PostgreSQL cannot run here, or null when it can: tests skip with this
 * message rather than fail on a machine without the server.
 */
export function postgresUnavailable(): string | null {
  if (!binary('initdb') || !binary('pg_ctl')) {
    return 'PostgreSQL 15 (initdb, pg_ctl) is not installed: apt-get install postgresql-15';
  }
  if (process.getuid?.() === 0 && !userExists('postgres')) {
    return 'running as root and there is no postgres user to run the server as';
  }
  return null;
}

/**
 * Starts a server in a temporary data folder on a free loopback port. The
 * server refuses to run as root, so as root it runs as the postgres user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const reason = postgresUnavailable();
  if (reason) throw new Error(reason);

  const dir = mkdtempSync(join(tmpdir(), 'backfill-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (args: string[]) => {
    const command = asRoot ? 'runuser' : args[0]!;
    const argv = asRoot ? ['-u', 'postgres', '--', ...args] : args.slice(1);
    const result = spawnSync(command, argv, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `${args.slice(0, 2).join(' ')} failed: ${result.stderr || result.stdout}`,
      );
    }
  };

  run([binary('initdb')!, '-D', data, '-U', 'postgres', '-A', 'trust']);
  run([
    binary('pg_ctl')!,
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-w',
    'start',
  ]);

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run([binary('pg_ctl')!, '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------

function binary(name: string): string | null {
  for (const dir of BIN_DIRS) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

function userExists(name: string): boolean {
  return spawnSync('id', [name]).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
