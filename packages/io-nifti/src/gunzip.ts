// Inflating `.nii.gz` with Node's native zlib (Node entry only), never more than asked for.
//
// zlib's one-shot calls (`gunzip`, `gunzipSync`) either return the whole stream or fail with
// ERR_BUFFER_TOO_LARGE past `maxOutputLength`, losing what they inflated. A read needs only
// the first `want` bytes (vox_offset + the voxels the header declares), so a stream is
// inflated by attempts over prefixes of its bytes, each capped at `want + SLACK` bytes of
// output: first the whole stream (one call: the fast path, the speed of a plain `gunzip`),
// then, if that fails (trailing data, a bomb, a cut trailer), a search for the shortest
// prefix whose output holds `want` bytes. Memory stays within one attempt's output.
// zlib checks the CRC-32 only when it reaches the end of the stream: a stream that ends
// within SLACK of `want` (every file nibabel or writeNifti writes) is verified; for a longer
// one the bytes after `want` and the CRC are never looked at.
import zlib from "node:zlib";
import { DeepRegLoaderError } from "@deepreg-loader/core";

/**
 * Output allowed beyond what is wanted in one attempt (trailing data, zlib's own chunking).
 * Small, so that the attempts of a search (each garbage afterwards) stay small.
 */
export const SLACK = 2 ** 16;

/** One inflate attempt: the first `length` input bytes, output capped at `limit` bytes. */
export interface Attempt {
  length: number;
  /** true: the prefix must be a whole stream (Z_FINISH); false: inflate what it holds (Z_SYNC_FLUSH). */
  finish: boolean;
  limit: number;
  /** zlib's output chunk size (the expected output + 1 lands in one buffer). */
  chunkSize: number;
  /**
   * Stream the prefix through one zlib engine and stop as soon as `want` bytes are out (one
   * pass, nothing else inflated); only drivers that can (async) get such attempts.
   */
  stopAt?: number;
}

/** What an attempt gave: its output, or zlib's error. */
export type Outcome = { output: Uint8Array; error?: undefined } | { error: unknown; output?: undefined };

/** What {@link inflatePlan} settles on: the output (at least `want` bytes unless the stream is shorter). */
export interface Inflated {
  output: Uint8Array;
  /** Set when the output is short of `want`: the zlib error of the failed whole-stream attempt, if any. */
  cause?: unknown;
}

/**
 * The attempts that inflate at least `want` bytes from an input of `size` bytes, as a
 * generator fed with each attempt's outcome (so the same plan runs sync and async).
 * `start`: the first attempt's length (the whole input: one Z_FINISH attempt, the stream must
 * be whole; less, or `prefix`: inflate what prefixes hold, growing x4, for a header).
 * Throws `READ_FAILED` (invalid gzip data before `want` bytes), `TRUNCATED` (a stream that
 * ends early); a short but whole stream is returned (the caller reports `TRUNCATED`).
 */
export function* inflatePlan(
  size: number,
  want: number,
  start: number,
  file: string,
  prefix = false,
  slack = SLACK,
  canStream = false,
): Generator<Attempt, Inflated, Outcome> {
  const limit = want + slack;
  // The expected output lands in one buffer; small wants (a header) still get 64 KiB chunks.
  const chunkSize = Math.min(limit, Math.max(want + 1, 2 ** 16));
  let length = Math.min(size, start);
  if (length === size && !prefix) {
    const whole = yield { length, finish: true, limit, chunkSize };
    if (whole.output !== undefined) return { output: whole.output };
    if (!isZlibError(whole.error)) throw whole.error;
    const code = (whole.error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") {
      if (canStream) {
        const streamed = yield { length, finish: false, limit, chunkSize, stopAt: want };
        if (streamed.output !== undefined && streamed.output.length >= want) return { output: streamed.output };
        throw inflateError(streamed.error ?? whole.error, file);
      }
      return yield* search(0, size, whole.error, want, limit, chunkSize, file);
    }
    // Invalid data: trailing bytes after a whole stream (ignored, as nibabel does), or damage
    // inside it (an error, never a partial read).
    if (code !== "Z_BUF_ERROR") return yield* streamEnd(size, whole.error, want, limit, chunkSize, file);
    // The stream ends early: what it holds is unverified (no CRC), so the file is truncated.
    throw inflateError(whole.error, file);
  }
  let lo = 0;
  for (;;) {
    const outcome = yield { length, finish: false, limit, chunkSize };
    if (outcome.output !== undefined) {
      if (outcome.output.length >= want || length === size) return { output: outcome.output };
      lo = length;
      length = Math.min(size, length * 4);
    } else {
      if (!isZlibError(outcome.error)) throw outcome.error;
      return yield* search(lo, length, outcome.error, want, limit, chunkSize, file);
    }
  }
}

/**
 * The output of the whole gzip stream(s) at the start of an input whose full length fails
 * with invalid data: bisects for the length where "ends early" turns into "invalid data"; a
 * stream that ends exactly there (its CRC checked by zlib) is the answer, else `failure`.
 */
function* streamEnd(
  size: number,
  failure: unknown,
  want: number,
  limit: number,
  chunkSize: number,
  file: string,
): Generator<Attempt, Inflated, Outcome> {
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const length = Math.floor((lo + hi) / 2);
    const outcome = yield { length, finish: true, limit, chunkSize };
    if (outcome.output !== undefined) return { output: outcome.output };
    if (!isZlibError(outcome.error)) throw outcome.error;
    const code = (outcome.error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") return yield* search(0, length, outcome.error, want, limit, chunkSize, file);
    if (code === "Z_BUF_ERROR") lo = length;
    else hi = length;
  }
  throw inflateError(failure, file);
}

/**
 * Bisects between a prefix length `lo` that inflates to fewer than `want` bytes and `hi` that
 * fails (`failure`: over the limit, or invalid data) for a prefix whose output holds `want`.
 */
function* search(
  lo: number,
  hi: number,
  failure: unknown,
  want: number,
  limit: number,
  chunkSize: number,
  file: string,
): Generator<Attempt, Inflated, Outcome> {
  while (hi - lo > 1) {
    const length = Math.floor((lo + hi) / 2);
    const outcome = yield { length, finish: false, limit, chunkSize };
    if (outcome.output === undefined) {
      if (!isZlibError(outcome.error)) throw outcome.error;
      hi = length;
      failure = outcome.error;
    } else if (outcome.output.length >= want) {
      return { output: outcome.output };
    } else {
      lo = length;
    }
  }
  throw inflateError(failure, file);
}

/** zlib options of an attempt. */
function options(attempt: Attempt): zlib.ZlibOptions {
  return {
    chunkSize: attempt.chunkSize,
    maxOutputLength: attempt.limit,
    finishFlush: attempt.finish ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
  };
}

/**
 * Runs {@link inflatePlan} with `zlib.gunzipSync`; `read(n)` gives the first `n` input bytes.
 * `into(n)`, when given, lends a buffer of at least `n` bytes that a whole-stream attempt
 * inflates straight into (see {@link inflateInto}); the output then views that buffer.
 */
export function inflateSync(
  read: (length: number) => Uint8Array,
  plan: Generator<Attempt, Inflated, Outcome>,
  into?: (length: number) => Uint8Array,
): Inflated {
  let step = plan.next();
  while (!step.done) {
    const attempt = step.value;
    let outcome: Outcome | undefined;
    const input = read(attempt.length);
    if (into !== undefined && attempt.finish) {
      // limit + 1 bytes of room: an output past the limit fills it and takes the plain path,
      // which reports it exactly as before (ERR_BUFFER_TOO_LARGE).
      const out = into(attempt.limit + 1).subarray(0, attempt.limit + 1);
      const written = inflateInto(input, out);
      if (written !== undefined) outcome = { output: out.subarray(0, written) };
    }
    if (outcome === undefined) {
      try {
        outcome = { output: zlib.gunzipSync(input, options(attempt)) };
      } catch (error) {
        outcome = { error };
      }
    }
    step = plan.next(outcome);
  }
  return step.value;
}

/** The parts of a Node zlib engine that {@link inflateInto} uses (undocumented; checked before use). */
interface EngineInternals {
  _handle?: {
    writeSync?: EngineWrite;
    onerror?: unknown;
  } | null;
  _writeState?: unknown;
  close(): void;
}

/**
 * Inflates a whole gzip stream (Z_FINISH) straight into `out` in one call of the engine's
 * native write, as `zlib.gunzipSync` does internally but without allocating its output: the
 * number of bytes written, or undefined when the stream did not end cleanly within `out`
 * (any zlib error, trailing garbage, a cut stream, or `out` full) or when this Node has no
 * such engine internals. Undefined always means "take the plain path", which then gives the
 * documented result or error, so the two paths cannot differ in what a read returns.
 *
 * Node's `zlib` has no public way to inflate into a caller's buffer; this uses the engine's
 * `_handle.writeSync` and `_writeState` (stable since Node 10, used by Node's own
 * `processChunkSync`), feature-checked on every call.
 */
export function inflateInto(input: Uint8Array, out: Uint8Array): number | undefined {
  return withEngine((write, state, failed) => {
    write(zlib.constants.Z_FINISH, input, 0, input.length, out, 0, out.length);
    const availOut = state[0] as number;
    if (failed() || availOut === 0) return undefined;
    return out.length - availOut;
  });
}

/** The native write of a zlib engine: `(flush, input, inOff, inLen, out, outOff, outLen)`; leaves `state[0]` = output room left, `state[1]` = input left. */
type EngineWrite = (flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number) => void;

/**
 * Runs `use` with a fresh gunzip engine's native write, its state and whether it reported an
 * error; undefined when this Node has no such internals or `use` throws. The engine is closed
 * after. (Node's own error handler would destroy the stream and emit "error" later; here an
 * error only sets the flag, and the caller takes the plain path.)
 */
function withEngine<T>(use: (write: EngineWrite, state: Uint32Array, failed: () => boolean) => T | undefined): T | undefined {
  const engine = zlib.createGunzip() as unknown as EngineInternals;
  try {
    const handle = engine._handle;
    const state = engine._writeState;
    if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array) || state.length < 2) return undefined;
    let failed = false;
    handle.onerror = () => {
      failed = true;
    };
    return use(handle.writeSync.bind(handle), state, () => failed);
  } catch {
    return undefined;
  } finally {
    engine.close();
  }
}

/**
 * Runs {@link inflatePlan} with async `zlib.gunzip` (libuv pool); `read(n)` gives the first `n`
 * input bytes; `into(n)`, when given, lends a buffer a whole-stream attempt inflates straight into
 * ({@link inflateIntoAsync}), as in {@link inflateSync}.
 */
export async function inflateAsync(
  read: (length: number) => Uint8Array | Promise<Uint8Array>,
  plan: Generator<Attempt, Inflated, Outcome>,
  into?: (length: number) => Uint8Array,
): Promise<Inflated> {
  let step = plan.next();
  while (!step.done) {
    const attempt = step.value;
    const input = await read(attempt.length);
    if (into !== undefined && attempt.finish && attempt.stopAt === undefined) {
      // As in inflateSync: limit + 1 bytes of room, anything else takes the plain path below.
      const out = into(attempt.limit + 1).subarray(0, attempt.limit + 1);
      const written = await inflateIntoAsync(input, out);
      if (written !== undefined) {
        step = plan.next({ output: out.subarray(0, written) });
        continue;
      }
    }
    const outcome =
      attempt.stopAt === undefined
        ? await new Promise<Outcome>((resolve) => {
            zlib.gunzip(input, options(attempt), (error, output) => resolve(error ? { error } : { output }));
          })
        : await inflateUntil(input, attempt.stopAt, attempt.chunkSize);
    step = plan.next(outcome);
  }
  return step.value;
}

/**
 * Inflates `input` through one streaming zlib engine and stops once `want` bytes are out: a
 * single pass whose output (one chunk of `chunkSize` when that covers `want`) is all it holds.
 */
function inflateUntil(input: Uint8Array, want: number, chunkSize: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const engine = zlib.createGunzip({ chunkSize });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const output = (): Buffer => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      engine.destroy();
      resolve(outcome);
    };
    engine.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= want) settle({ output: output() });
    });
    engine.on("error", (error) => settle(total >= want ? { output: output() } : { error }));
    engine.on("end", () => settle({ output: output() }));
    engine.end(input);
  });
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("Z_") || code === "ERR_BUFFER_TOO_LARGE");
}

/** A zlib failure as a `DeepRegLoaderError` naming the file. */
export function inflateError(error: unknown, file: string): DeepRegLoaderError {
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === "Z_BUF_ERROR") {
    return new DeepRegLoaderError("TRUNCATED", `${file}: the gzip stream ends early (${reason}); the file is truncated`, {
      file,
      cause: error,
    });
  }
  return new DeepRegLoaderError("READ_FAILED", `${file}: invalid gzip data (${reason})`, { file, cause: error });
}

/** Bytes skipped over (inflated and thrown away) per engine call by {@link inflateRangeInto}; re-used. */
let discard: Uint8Array | undefined;
const DISCARD_BYTES = 2 ** 18;

/**
 * Inflates the gzip stream `input` piece by piece through one zlib engine: its first
 * `out.length - length` bytes go to the start of `out`, the next `skip` bytes are inflated
 * into a small re-used buffer and thrown away, and the `length` bytes after them fill the rest
 * of `out`; then it stops (nothing after them is inflated, and the gzip trailer is not checked).
 * So one channel of a NIfTI 4D file comes out beside its header without the other channels
 * ever being held. Returns true when `out` is full; undefined when the stream ended first, a
 * zlib error occurred, or this Node has no engine internals (see {@link inflateInto}): the
 * caller then takes the plain path, which gives the documented result or error.
 */
export function inflateRangeInto(input: Uint8Array, out: Uint8Array, skip: number, length: number): true | undefined {
  return withEngine((write, state, failed) => {
    const prefix = out.length - length;
    let inOff = 0;
    /** Inflates exactly `count` bytes into `target` from `at` (in calls of at most `step` bytes); false when the stream gives fewer. */
    const fill = (target: Uint8Array, at: number, count: number, step: number): boolean => {
      let left = count;
      while (left > 0) {
        const want = Math.min(step, left);
        const inLen = input.length - inOff;
        write(zlib.constants.Z_SYNC_FLUSH, input, inOff, inLen, target, target === out ? at + (count - left) : 0, want);
        if (failed()) return false;
        const produced = want - (state[0] as number);
        const consumed = inLen - (state[1] as number);
        inOff += consumed;
        if (produced === 0 && consumed === 0) return false;
        left -= produced;
      }
      return true;
    };
    if (!fill(out, 0, prefix, prefix)) return undefined;
    if (skip > 0) {
      discard ??= new Uint8Array(DISCARD_BYTES);
      if (!fill(discard, 0, skip, DISCARD_BYTES)) return undefined;
    }
    if (!fill(out, prefix, length, length)) return undefined;
    return true;
  });
}

/** The parts of a Node zlib stream that {@link inflateIntoAsync} uses (undocumented; checked before use). */
interface StreamInternals {
  _outBuffer?: unknown;
  _outOffset?: unknown;
}

/**
 * {@link inflateInto} on the libuv pool: inflates a whole gzip stream (Z_FINISH) into `out`
 * asynchronously, as `zlib.gunzip` does but into the caller's memory: a zlib stream whose first
 * output chunk is `out` (its `_outBuffer`, the buffer Node's own stream writes its output into,
 * set before the input is written). Resolves to the number of bytes written, or undefined when
 * the stream did not end cleanly within `out` (any zlib error, trailing garbage, a cut stream,
 * `out` full: the stream is stopped at its first chunk, so a bomb inflates no further) or when
 * this Node has no such internals; undefined always means "take the plain path".
 */
export function inflateIntoAsync(input: Uint8Array, out: Uint8Array): Promise<number | undefined> {
  return new Promise((resolve) => {
    let engine: zlib.Gunzip;
    try {
      engine = zlib.createGunzip({ chunkSize: Math.max(out.length, zlib.constants.Z_MIN_CHUNK) });
    } catch {
      resolve(undefined);
      return;
    }
    const internals = engine as unknown as StreamInternals;
    if (!Buffer.isBuffer(internals._outBuffer) || internals._outBuffer.length !== out.length || internals._outOffset !== 0) {
      engine.close();
      resolve(undefined);
      return;
    }
    internals._outBuffer = Buffer.from(out.buffer, out.byteOffset, out.length);
    let written: number | undefined;
    let chunks = 0;
    let settled = false;
    const settle = (value: number | undefined): void => {
      if (settled) return;
      settled = true;
      engine.destroy();
      resolve(value);
    };
    engine.on("data", (chunk: Buffer) => {
      chunks += 1;
      // One chunk, in `out`, not filling it: else the plain path (bounded) decides.
      if (chunks > 1 || chunk.buffer !== out.buffer || chunk.byteOffset !== out.byteOffset || chunk.length >= out.length) settle(undefined);
      else written = chunk.length;
    });
    engine.on("error", () => settle(undefined));
    engine.on("end", () => settle(written ?? (chunks === 0 ? 0 : undefined)));
    engine.end(input);
  });
}
