import { afterAll, beforeAll, describe } from 'vitest';

import {
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../support/postgres.ts';
import { postgresBackend, sqliteBackend } from './backends.ts';
import { stateContract } from './contract.ts';

// One suite, every store that keeps state: a difference between them is a
// bug in one of them.

describe('the state contract on sqlite', () => {
  stateContract(() => sqliteBackend);
});

const reason = postgresUnavailable();
if (reason) console.warn(`skipping the postgres state contract: ${reason}`);

describe.skipIf(reason)('the state contract on postgres', () => {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  stateContract(() => postgresBackend(() => (server as TestPostgres).url));
});
