// Shared settings and checks of the fuzz suites (property-based tests with fast-check).
// Seeded and bounded: FUZZ_SEED and FUZZ_RUNS (a multiplier of each suite's run count)
// change them for a longer local hunt; a failure prints the seed and path to replay it.

/** The seed of every fuzz property (fixed, so CI runs the same cases every time). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261130);

/** Runs of a property: `base` times FUZZ_RUNS (default 1). */
export function fuzzRuns(base: number): number {
  return Math.max(1, Math.round(base * Number(process.env.FUZZ_RUNS ?? 1)));
}

/** What one fuzz case did: a value, or a failure that must be a coded error naming `file`. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `fn` with stdout, stderr and Node warnings captured; returns its outcome and what was
 * printed (a library must print nothing).
 */
export async function capture<T>(fn: () => T | Promise<T>): Promise<{ outcome: Outcome<T>; printed: string }> {
  const chunks: string[] = [];
  const sink = ((chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const streams = [process.stdout, process.stderr] as { write: typeof process.stdout.write }[];
  const logger = console as unknown as { _stdout?: { write: typeof sink }; _stderr?: { write: typeof sink } };
  for (const s of [logger._stdout, logger._stderr]) if (s && !streams.includes(s)) streams.push(s);
  const writes = streams.map((s) => s.write);
  const onWarning = (warning: Error): void => {
    chunks.push(`warning: ${warning.message}`);
  };
  process.on("warning", onWarning);
  for (const s of streams) s.write = sink;
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  try {
    // Warnings are emitted on the next tick: let them arrive while still captured.
    await new Promise((resolve) => setImmediate(resolve));
    return { outcome, printed: chunks.join("") };
  } finally {
    streams.forEach((s, i) => {
      s.write = writes[i] as typeof sink;
    });
    process.off("warning", onWarning);
  }
}

/**
 * Throws (failing the property) unless `error` is a `DeepRegLoaderError` whose `file` is `file`
 * and whose message names it.
 */
export function expectCodedError(error: unknown, file: string): void {
  // By name and shape: test-utils cannot import the workspace packages.
  const coded = error as { name?: unknown; code?: unknown; file?: unknown; message?: unknown; stack?: unknown };
  if (!(error instanceof Error) || coded.name !== "DeepRegLoaderError" || typeof coded.code !== "string") {
    throw new Error(`expected a DeepRegLoaderError, got ${String(coded?.stack ?? error)}`);
  }
  if (coded.file !== file || !error.message.includes(file)) {
    throw new Error(`expected an error naming ${file}, got [${String(coded.code)}] file=${String(coded.file)}: ${error.message}`);
  }
}
