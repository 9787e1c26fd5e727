// Bounded access to the bytes of an HDF5 file for the native reader: every read is checked
// against the file size, every field against the bytes it came from. Anything out of bounds
// or unexpected throws `Unsupported`, which makes the caller fall back to h5wasm.
import { fstatSync, readSync } from "node:fs";
import { lookup3 } from "./lookup3.js";

/** Why the native reader gave up on a dataset (internal: the read falls back to h5wasm). */
export class Unsupported extends Error {
  override readonly name = "Unsupported";
}

/** Throws {@link Unsupported} with `message`. */
export function unsupported(message: string): never {
  throw new Unsupported(message);
}

/** The undefined address (all bits set), decoded as this. */
export const UNDEFINED_ADDRESS = -1;

/** Largest metadata structure read in one piece (object header chunk, heap block, index block). */
const MAX_METADATA_BYTES = 64 * 2 ** 20;

/** An open file descriptor and its size at open time. */
export class FileBytes {
  readonly fd: number;
  readonly size: number;

  constructor(fd: number) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  /** Checks that `[offset, offset + length)` lies inside the file. */
  check(offset: number, length: number, what: string): void {
    if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.size)) {
      unsupported(`${what}: bytes ${offset}+${length} outside the file (${this.size} bytes)`);
    }
  }

  /** `length` bytes at `offset` (a new buffer) for metadata. */
  read(offset: number, length: number, what: string): Buffer {
    if (length > MAX_METADATA_BYTES) unsupported(`${what}: ${length} bytes of metadata`);
    this.check(offset, length, what); // before allocating
    const buffer = Buffer.allocUnsafe(length);
    this.readInto(buffer, 0, offset, length, what);
    return buffer;
  }

  /** Reads `length` bytes at file `offset` into `target[at, at + length)`. */
  readInto(target: Uint8Array, at: number, offset: number, length: number, what: string): void {
    this.check(offset, length, what);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, target, at + done, length - done, offset + done);
      if (n <= 0) unsupported(`${what}: the file ended early`);
      done += n;
    }
  }
}

/** Sizes of file addresses ("offsets") and lengths, from the superblock. */
export interface Sizes {
  offsets: number;
  lengths: number;
}

/** A read position in a buffer; every read is bounds-checked. */
export class Cursor {
  pos: number;

  constructor(
    readonly buffer: Buffer,
    readonly sizes: Sizes,
    readonly what: string,
    pos = 0,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.buffer.length - this.pos;
  }

  #take(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buffer.length) unsupported(`${this.what}: truncated (need ${n} bytes at ${at} of ${this.buffer.length})`);
    this.pos = at + n;
    return at;
  }

  skip(n: number): void {
    this.#take(n);
  }

  u8(): number {
    return this.buffer[this.#take(1)] as number;
  }

  u16(): number {
    return this.buffer.readUInt16LE(this.#take(2));
  }

  u32(): number {
    return this.buffer.readUInt32LE(this.#take(4));
  }

  /** An unsigned little-endian integer of `n` bytes (1-8); beyond 2^53 is unsupported. */
  uint(n: number): number {
    const at = this.#take(n);
    return readUint(this.buffer, at, n, this.what);
  }

  /** A file address (`undefined` address: {@link UNDEFINED_ADDRESS}). */
  address(): number {
    const n = this.sizes.offsets;
    const at = this.#take(n);
    let allSet = true;
    for (let i = 0; i < n; i++) if (this.buffer[at + i] !== 0xff) allSet = false;
    return allSet ? UNDEFINED_ADDRESS : readUint(this.buffer, at, n, this.what);
  }

  length(): number {
    return this.uint(this.sizes.lengths);
  }

  bytes(n: number): Buffer {
    const at = this.#take(n);
    return this.buffer.subarray(at, at + n);
  }

  /** Checks a 4-byte ASCII signature. */
  signature(expected: string): void {
    const found = this.bytes(4).toString("latin1");
    if (found !== expected) unsupported(`${this.what}: signature ${JSON.stringify(found)}, expected ${expected}`);
  }
}

/** An unsigned little-endian integer of `n` bytes at `at`; unsupported beyond 2^53. */
export function readUint(buffer: Buffer, at: number, n: number, what: string): number {
  if (n < 1 || n > 8) unsupported(`${what}: integer of ${n} bytes`);
  let value = 0;
  for (let i = n - 1; i >= 0; i--) value = value * 256 + (buffer[at + i] as number);
  if (!Number.isSafeInteger(value)) unsupported(`${what}: value beyond 2^53`);
  return value;
}

/** Checks a lookup3 checksum stored right after `[start, end)` of `buffer`. */
export function checkChecksum(buffer: Buffer, start: number, end: number, what: string): void {
  if (end + 4 > buffer.length) unsupported(`${what}: no room for the checksum`);
  if (lookup3(buffer, start, end) !== buffer.readUInt32LE(end)) unsupported(`${what}: checksum mismatch`);
}

