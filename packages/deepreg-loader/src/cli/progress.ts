// cli/progress.ts: progress on stderr (a live line on a terminal, else a line every few seconds).
import type { CliIO } from "./io.js";

/** A progress display on stderr. */
export interface Progress {
  /** Shows `done` of `total`, the last item being `what` (a file). */
  update(done: number, total: number, what: string): void;
  /** Clears the live line (terminal) or writes the last count (not a terminal). */
  end(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /**
   * When stderr is not a terminal, write `label 12/100 file` as a line at most every
   * `intervalMs` (so CI logs show a long command is alive). Default: nothing when not a terminal.
   */
  intervalMs?: number;
  /** Clock (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * Progress `label 12/100 file` on stderr: one live line when stderr is a terminal; otherwise a
 * plain line every `intervalMs` when given, else nothing.
 */
export function createProgress(io: CliIO, label: string, options: ProgressOptions = {}): Progress {
  const text = (done: number, total: number, what: string): string => {
    const line = `${label} ${done}/${total} ${what}`;
    return line.length > 100 ? `${line.slice(0, 97)}...` : line;
  };
  if (!io.stderr.isTTY) {
    const { intervalMs } = options;
    if (intervalMs === undefined) return { update: () => undefined, end: () => undefined };
    const now = options.now ?? Date.now;
    let last = now();
    let pending: string | undefined;
    return {
      update(done, total, what) {
        pending = text(done, total, what);
        if (now() - last < intervalMs) return;
        io.stderr.write(`${pending}\n`);
        pending = undefined;
        last = now();
      },
      end() {
        pending = undefined;
      },
    };
  }
  let drawn = false;
  return {
    update(done, total, what) {
      io.stderr.write(`\r\x1b[K${text(done, total, what)}`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr.write("\r\x1b[K");
      drawn = false;
    },
  };
}
