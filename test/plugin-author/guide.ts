// The guide docs/write-a-source-plugin.md, read as the test's script: its
// shell commands, and the files it lists with `<!-- file: path -->`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './install.ts';

export const GUIDE = join(ROOT, 'docs', 'write-a-source-plugin.md');

/** The commands the guide tells a reader to type, in its order. */
export const COMMANDS = {
  mkdir: 'mkdir -p plugins/source-weather/test',
  test: 'npm test',
  validate: 'npx backfill validate',
  validateMistake: 'npx backfill validate mistakes/page-size.yaml',
  run: 'WEATHER_API_URL=http://127.0.0.1:8080 npx backfill run',
  query: 'sqlite3 .backfill/backfill.db "SELECT count(*) FROM weather"',
} as const;

/** The body of every fenced block of `language`, in order. */
export function blocks(language: string): string[] {
  const text = readFileSync(GUIDE, 'utf8');
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...text.matchAll(fence)].map((m) => m[1] ?? '');
}

/** Each `<!-- file: path -->` of the guide and the block under it. */
export function listings(): Array<{ path: string; body: string }> {
  const text = readFileSync(GUIDE, 'utf8');
  const listing = /^<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)^```$/gm;
  return [...text.matchAll(listing)].map((m) => ({
    path: m[1] ?? '',
    body: m[2] ?? '',
  }));
}
