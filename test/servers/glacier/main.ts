// Runs the loopback Glacier server in its own process with one generated
// archive and a finished retrieval job for it; prints
// {"url", "vault", "archiveId", "jobId"} as one JSON line. For benchmarks,
// so that the server's memory and CPU are not the client's.

import { generatedOffers } from './generated.ts';
import { startGlacierServer } from './index.ts';

const size = Number(process.argv[2] ?? 64 * 1024 * 1024);
const server = await startGlacierServer();
const vault = 'bench-vault';
const archiveId = server.addArchive({ vault, body: generatedOffers(size) });
const init = await fetch(`${server.url}/-/vaults/${vault}/jobs`, {
  method: 'POST',
  body: JSON.stringify({
    Type: 'archive-retrieval',
    ArchiveId: archiveId,
    Tier: 'Expedited',
  }),
});
const jobId = init.headers.get('x-amz-job-id');
process.stdout.write(
  `${JSON.stringify({ url: server.url, vault, archiveId, jobId })}\n`,
);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
