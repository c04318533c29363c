import type { GeneratedContent } from './index.ts';

const MIB = 1024 * 1024;
const LINE = 128;

/**
 * JSON-lines margin offers of `size` bytes, made on demand: 8192 lines of
 * 128 bytes a MiB, each id unique (block and line number).
 */
export function generatedOffers(size: number): GeneratedContent {
  const base = Buffer.alloc(MIB);
  for (let j = 0; j < MIB / LINE; j++) {
    const id = `000000-${String(j).padStart(4, '0')}`;
    const head =
      `{"id":"${id}","market":"SOL-USDC",` +
      `"rate_bps":${500 + (j % 50)},"pad":"`;
    const line = `${head}${'x'.repeat(LINE - head.length - 3)}"}\n`;
    base.write(line, j * LINE, 'latin1');
  }
  let cached = -1;
  const block = Buffer.alloc(MIB);
  const blockAt = (n: number): Buffer => {
    if (n !== cached) {
      base.copy(block);
      // Byte stores, not 8192 string writes: the server's CPU is shared
      // with the client the benchmark measures.
      const digits = Buffer.from(String(n).padStart(6, '0'), 'latin1');
      for (let at = 7; at < MIB; at += LINE) {
        for (let d = 0; d < 6; d++) block[at + d] = digits[d] as number;
      }
      cached = n;
    }
    return block;
  };
  return {
    size,
    read(offset, length) {
      const out = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const at = offset + done;
        const n = Math.floor(at / MIB);
        const within = at - n * MIB;
        const take = Math.min(MIB - within, length - done);
        blockAt(n).copy(out, done, within, within + take);
        done += take;
      }
      return out;
    },
  };
}
