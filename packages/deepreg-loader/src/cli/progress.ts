import type { CliIO } from "./io.js";

/** A one-line progress display on stderr, drawn only when stderr is a terminal. */
export interface Progress {
  update(done: number, total: number, what: string): void;
  /** Clears the line. */
  end(): void;
}

/** Progress lines `label 12/100 file` on stderr when it is a terminal; does nothing otherwise. */
export function createProgress(io: CliIO, label: string): Progress {
  if (!io.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let drawn = false;
  return {
    update(done, total, what) {
      const text = `${label} ${done}/${total} ${what}`;
      io.stderr.write(`\r\x1b[K${text.length > 100 ? `${text.slice(0, 97)}...` : text}`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr.write("\r\x1b[K");
      drawn = false;
    },
  };
}
