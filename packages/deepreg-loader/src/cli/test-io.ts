// Test helper: runs `main` in-process with captured output.
import { main } from "./main.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `main(argv)` with `cwd`, stdout and stderr captured; stderr is not a terminal unless `tty`. */
export async function run(argv: string[], cwd: string, tty = false): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty },
    cwd,
  });
  return { code, stdout, stderr };
}
