import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MIB } from './tree-hash.ts';

/** Bytes gathered before one write: fewer, larger writes. */
const WRITE_BYTES = MIB;
/** Bytes of one read when a range is read back: one piece decoded at once. */
const READ_BYTES = MIB / 4;

/**
 * Temporary files holding downloaded ranges until their tree hash is
 * checked. A range's records must not be stored before it is verified, and
 * a 64 MiB range (two, with the one prefetched) held in memory would cost
 * the process hundreds of MB; on disk it costs only the page cache.
 */
export class RangeSpool {
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** A fresh folder under the system's temporary folder. */
  static async create(): Promise<RangeSpool> {
    return new RangeSpool(await mkdtemp(join(tmpdir(), 'backfill-glacier-')));
  }

  /** Starts (or starts again) the file of the range at `start`. */
  async writer(start: number): Promise<SpoolWriter> {
    return new SpoolWriter(await open(this.#file(start), 'w'));
  }

  /** The range's bytes, in pieces of at most 256 KiB. */
  read(start: number): AsyncIterable<Buffer> {
    return createReadStream(this.#file(start), { highWaterMark: READ_BYTES });
  }

  async remove(start: number): Promise<void> {
    await rm(this.#file(start), { force: true });
  }

  /** Removes the folder and every file left in it. */
  async close(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }

  #file(start: number): string {
    return join(this.#dir, `range-${start}`);
  }
}

/** Appends pieces to one range's file, in writes of about 1 MiB. */
export class SpoolWriter {
  readonly #handle: FileHandle;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  async write(piece: Buffer): Promise<void> {
    this.#pending.push(piece);
    this.#pendingBytes += piece.length;
    if (this.#pendingBytes >= WRITE_BYTES) await this.#flush();
  }

  /** Flushes and closes; call it on every path, failed ones too. */
  async close(): Promise<void> {
    try {
      await this.#flush();
    } finally {
      await this.#handle.close();
    }
  }

  async #flush(): Promise<void> {
    const pieces = this.#pending;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (pieces.length === 0) return;
    const { bytesWritten } = await this.#handle.writev(pieces);
    // A full disk shows up here rather than as a checksum failure later.
    if (bytesWritten !== bytes) {
      throw new Error(`wrote ${bytesWritten} of ${bytes} bytes to the spool`);
    }
  }
}
