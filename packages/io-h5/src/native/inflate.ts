// Inflating one HDF5 deflate chunk (a zlib stream) with Node's native zlib into a re-used
// buffer. `zlib.inflateSync` allocates its output afresh for every call; on this machine kind
// the first touch of fresh memory costs ~14 us per 4 KiB page, about as much as inflating it.
// The engine's synchronous write (the call `inflateSync` itself makes) fills our buffer
// instead; where that internal call is missing, `inflateSync` is used.
import zlib from "node:zlib";
import { unsupported } from "./bytes.js";

/** The parts of Node's zlib engine that `zlib.inflateSync` drives (lib/zlib.js, processChunkSync). */
interface SyncEngine {
  _handle?: {
    writeSync?: (flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number) => void;
  };
  _writeState?: Uint32Array;
  /** Set synchronously when zlib reports an error (the 'error' event itself comes later). */
  destroyed: boolean;
  on(event: "error", listener: (error: Error) => void): unknown;
  reset(): void;
  close(): void;
}

let engine: SyncEngine | undefined;
let output: Buffer = Buffer.alloc(0);

function freshEngine(): SyncEngine {
  const created = new zlib.Inflate() as unknown as SyncEngine;
  created.on("error", () => {
    // Reported through `destroyed` (the event is emitted on the next tick).
  });
  return created;
}

/**
 * `input` (a whole zlib stream) inflated to exactly `size` bytes, in a buffer re-used by the
 * next call (at most `keepBytes` are kept between calls). A stream that is damaged, shorter or
 * longer than `size` is unsupported (the caller falls back).
 */
export function inflateExactly(input: Uint8Array, size: number, keepBytes: number): Buffer {
  engine ??= freshEngine();
  const handle = engine._handle;
  const state = engine._writeState;
  if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array)) {
    return zlib.inflateSync(input, { maxOutputLength: size, chunkSize: Math.max(64, size + 64) });
  }
  // One spare byte tells a stream that inflates to more than `size`.
  if (output.length < size + 1) output = Buffer.allocUnsafeSlow(size + 1);
  let failed = false;
  try {
    handle.writeSync(zlib.constants.Z_FINISH, input, 0, input.length, output, 0, size + 1);
  } catch {
    failed = true;
  }
  const produced = size + 1 - (state[0] as number);
  const result = output.subarray(0, size);
  if (output.length > keepBytes) output = Buffer.alloc(0);
  if (failed || engine.destroyed) {
    // The engine is closed after an error: the next call makes a new one.
    engine = undefined;
    unsupported("inflate: damaged deflate stream");
  }
  engine.reset();
  if (produced !== size) unsupported(`inflate: ${produced} bytes, expected ${size}`);
  return result;
}
