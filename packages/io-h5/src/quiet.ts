// h5wasm prints (Emscripten's `out`/`err` are `console.log`/`console.error`, bound when the
// module is created, so they cannot be replaced afterwards): "Cannot enlarge memory ...",
// "Invalid UTF-8 leading byte ...". A library never prints, so every h5wasm call runs inside
// `quiet`, which takes over `process.stdout.write` / `process.stderr.write` for the duration
// of the (synchronous) call and keeps what was written.

/** What an h5wasm call printed, attached to the error it threw (see {@link printedBy}). */
const PRINTED = Symbol("printed by h5wasm");

type Write = typeof process.stdout.write;

/**
 * Runs the synchronous `fn` with stdout and stderr captured. Returns its value and what it
 * printed; when it throws, the printed text is attached to the error ({@link printedBy}).
 */
export function quiet<T>(fn: () => T): { value: T; printed: string } {
  const chunks: string[] = [];
  const sink = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  }) as Write;
  const streams = outputStreams();
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) stream.write = sink;
  try {
    const value = fn();
    return { value, printed: chunks.join("") };
  } catch (error) {
    if (chunks.length > 0 && typeof error === "object" && error !== null) {
      try {
        Object.defineProperty(error, PRINTED, { value: chunks.join(""), configurable: true });
      } catch {
        // A frozen error keeps no output; the error itself is what matters.
      }
    }
    throw error;
  } finally {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as Write;
    });
  }
}

/**
 * Where a print can go: the process's stdout/stderr and the streams of the global `console`
 * (a test runner or a logger may have replaced it with one writing elsewhere; h5wasm bound
 * `console.log`/`console.error` of the console it saw at start-up).
 */
function outputStreams(): { write: Write }[] {
  const candidates: unknown[] = [process.stdout, process.stderr];
  const logger = console as unknown as { _stdout?: unknown; _stderr?: unknown };
  candidates.push(logger._stdout, logger._stderr);
  const streams: { write: Write }[] = [];
  for (const c of candidates) {
    if (typeof c === "object" && c !== null && typeof (c as { write?: unknown }).write === "function" && !streams.includes(c as { write: Write })) {
      streams.push(c as { write: Write });
    }
  }
  return streams;
}

/** What h5wasm printed during the call that threw `error` (trimmed), or `""`. */
export function printedBy(error: unknown): string {
  if (typeof error !== "object" || error === null) return "";
  const text = (error as { [PRINTED]?: string })[PRINTED];
  return typeof text === "string" ? text.trim() : "";
}

/** True for a WebAssembly trap (`memory access out of bounds`, `unreachable`, Emscripten's `abort`). */
export function isWasmTrap(error: unknown): boolean {
  const wasm = (globalThis as { WebAssembly?: { RuntimeError?: abstract new () => Error } }).WebAssembly;
  return wasm?.RuntimeError !== undefined && error instanceof wasm.RuntimeError;
}
