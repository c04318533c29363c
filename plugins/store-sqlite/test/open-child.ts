// One process of the concurrent-open test: it loads the store, says
// `ready`, waits for a line on stdin so that every child opens at the same
// instant, then opens the database in argv[2] and prints each info line
// it logged as JSON.
import { silentLogger } from '@backfill/plugin-kit';

import { sqliteStore } from '../src/index.ts';

const [path] = process.argv.slice(2);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();

const logger = {
  ...silentLogger,
  info: (obj: object, msg?: string) =>
    process.stdout.write(`${JSON.stringify({ msg, ...obj })}\n`),
};
const session = await sqliteStore.open({
  params: { path: path as string },
  logger: { ...logger, child: () => logger },
  cwd: process.cwd(),
});
await session.close();
