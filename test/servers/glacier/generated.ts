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
    const head = `{"id":"000000-${String(j).padStart(4, '0')}","market":"SOL-USDC","rate_bps":${500 + (j % 50)},"pad":"`;
    const line = `${head}${'x'.repeat(LINE - head.length - 3)}"}\n`;
    base.write(line, j * LINE, 'latin1');
  }
  let cached = -1;
  const block = Buffer.alloc(MIB);
  const blockAt = (n: number): Buffer => {
    if (n !== cached) {
      base.copy(block);
      const digits = String(n).padStart(6, '0');
      for (let j = 0; j < MIB / LINE; j++)
        block.write(digits, j * LINE + 7, 'latin1');
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
