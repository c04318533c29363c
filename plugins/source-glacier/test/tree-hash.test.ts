import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { MIB, TreeHasher, TreeStack, treeHash } from '../src/tree-hash.ts';

// The algorithm exactly as the Glacier developer guide states it: hash each
// 1 MiB leaf, then hash adjacent pairs level by level, carrying an odd last
// node up unchanged, until one hash remains.
function referenceTreeHash(data: Buffer): string {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest();
  let level: Buffer[] = [];
  for (let at = 0; at < data.length || level.length === 0; at += MIB) {
    level.push(sha(data.subarray(at, at + MIB)));
  }
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      const left = level[i] as Buffer;
      next.push(right ? sha(Buffer.concat([left, right])) : left);
    }
    level = next;
  }
  return (level[0] as Buffer).toString('hex');
}

// Deterministic bytes that differ in every MiB.
function bytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >>> 20) * 7) & 0xff;
  return out;
}

describe('tree hash', () => {
  it('of one byte is the plain SHA-256 of that byte', () => {
    expect(treeHash(Buffer.from('a'))).toBe(
      'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb',
    );
  });

  it('of nothing is the SHA-256 of nothing', () => {
    expect(treeHash(Buffer.alloc(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('of exactly 1 MiB is the plain SHA-256 of that MiB', () => {
    const data = bytes(MIB);
    const sha = createHash('sha256').update(data).digest('hex');
    expect(treeHash(data)).toBe(sha);
  });

  it('of 1 MiB + 1 byte hashes the two leaf hashes together', () => {
    const data = bytes(MIB + 1);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest();
    const expected = sha(
      Buffer.concat([sha(data.subarray(0, MIB)), sha(data.subarray(MIB))]),
    ).toString('hex');
    expect(treeHash(data)).toBe(expected);
    expect(referenceTreeHash(data)).toBe(expected);
  });

  it.each([2 * MIB, 3 * MIB, 5 * MIB + 3, 7 * MIB, 9 * MIB - 1])(
    'of %i bytes matches the pairwise reference',
    (size) => {
      const data = bytes(size);
      expect(treeHash(data)).toBe(referenceTreeHash(data));
    },
  );

  it('does not depend on how the bytes are cut when streamed', () => {
    const data = bytes(5 * MIB + 17);
    const hasher = new TreeHasher();
    for (let at = 0; at < data.length; at += 65_537) {
      hasher.update(data.subarray(at, at + 65_537));
    }
    expect(hasher.size).toBe(data.length);
    expect(hasher.digest()).toBe(referenceTreeHash(data));
  });

  it('of an archive equals the stack of its aligned range hashes', () => {
    const data = bytes(11 * MIB + 5);
    for (const rangeMib of [1, 2, 4, 8]) {
      const stack = new TreeStack();
      const level = Math.log2(rangeMib);
      for (let at = 0; at < data.length; at += rangeMib * MIB) {
        const range = data.subarray(at, at + rangeMib * MIB);
        stack.push(treeHash(range), level);
      }
      expect(stack.digest()).toBe(referenceTreeHash(data));
    }
  });

  it('survives a stack saved and restored halfway', () => {
    const data = bytes(7 * MIB);
    const first = new TreeStack();
    for (let i = 0; i < 3; i++) {
      first.push(treeHash(data.subarray(i * MIB, (i + 1) * MIB)), 0);
    }
    const saved = JSON.parse(JSON.stringify(first.nodes));
    const resumed = new TreeStack(saved);
    for (let i = 3; i < 7; i++) {
      resumed.push(treeHash(data.subarray(i * MIB, (i + 1) * MIB)), 0);
    }
    expect(resumed.digest()).toBe(referenceTreeHash(data));
  });
});
