import { createHash, type Hash } from 'node:crypto';

/** Glacier hashes data in 1 MiB leaves. */
export const MIB = 1024 * 1024;

/** One node of a tree hash and its height (0 for a 1 MiB leaf). */
export interface TreeNode {
  hash: string;
  level: number;
}

/**
 * The completed subtrees of a tree hash, left to right, at most one per
 * level (like a binary counter). A range of 2^k MiB aligned on 2^k MiB is
 * exactly one node of the archive's tree, so the archive's tree hash can be
 * built from range hashes alone, and this short stack is all a cursor needs
 * to carry across a crash.
 */
export class TreeStack {
  readonly nodes: TreeNode[];

  constructor(nodes: TreeNode[] = []) {
    this.nodes = nodes.map((node) => ({ ...node }));
  }

  /** Appends a node of the given height (a range of 2^level MiB). */
  push(hash: string | Buffer, level: number): void {
    let node: Buffer = toBuffer(hash);
    let height = level;
    let top = this.nodes.at(-1);
    while (top && top.level === height) {
      this.nodes.pop();
      node = combine(Buffer.from(top.hash, 'hex'), node);
      height++;
      top = this.nodes.at(-1);
    }
    this.nodes.push({ hash: node.toString('hex'), level: height });
  }

  /**
   * The tree hash of everything pushed. Folding from the right gives what
   * Glacier's pairwise algorithm gives: an odd node is carried up unpaired.
   */
  digest(): string {
    const last = this.nodes.at(-1);
    if (!last) return createHash('sha256').digest('hex');
    let acc: Buffer = Buffer.from(last.hash, 'hex');
    for (let i = this.nodes.length - 2; i >= 0; i--) {
      const left = this.nodes[i] as TreeNode;
      acc = combine(Buffer.from(left.hash, 'hex'), acc);
    }
    return acc.toString('hex');
  }
}

/** Streams bytes into a SHA-256 tree hash, 1 MiB leaf at a time. */
export class TreeHasher {
  readonly #stack = new TreeStack();
  #leaf: Hash = createHash('sha256');
  #leafBytes = 0;
  #total = 0;

  update(bytes: Uint8Array): this {
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(MIB - this.#leafBytes, bytes.length - at);
      this.#leaf.update(bytes.subarray(at, at + take));
      this.#leafBytes += take;
      at += take;
      if (this.#leafBytes === MIB) this.#closeLeaf();
    }
    this.#total += bytes.length;
    return this;
  }

  /** Bytes hashed so far. */
  get size(): number {
    return this.#total;
  }

  /** The tree hash, hex; the hasher must not be used afterwards. */
  digest(): string {
    if (this.#leafBytes > 0 || this.#total === 0) this.#closeLeaf();
    return this.#stack.digest();
  }

  #closeLeaf(): void {
    this.#stack.push(this.#leaf.digest(), 0);
    this.#leaf = createHash('sha256');
    this.#leafBytes = 0;
  }
}

/** The tree hash of bytes held in memory. */
export function treeHash(bytes: Uint8Array): string {
  return new TreeHasher().update(bytes).digest();
}

function combine(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(left).update(right).digest();
}

function toBuffer(hash: string | Buffer): Buffer {
  return typeof hash === 'string' ? Buffer.from(hash, 'hex') : hash;
}
