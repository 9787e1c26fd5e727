// cli/io.ts: the streams and directory the CLI works with.
/** Where the CLI writes and which directory it works in; `main` defaults to the process's. */
export interface CliIO {
  /** Where results go (text or `--json`). */
  stdout: { write(text: string): unknown };
  /** Where errors and progress go; `isTTY` turns on the live progress line. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** The current directory: config files and the data directories they name are relative to it. */
  cwd: string;
}

/** The process's streams and directory. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}
