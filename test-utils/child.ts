// Runs a snippet of ES module code in a fresh Node process and reports what it printed and
// how much memory it took: for tests of "no output on stderr", "memory bounded by the
// header" and "no hang" that cannot be checked inside the test runner's own process.
import { spawn } from "node:child_process";

export interface ChildRun {
  /** Exit code (null when killed). */
  status: number | null;
  /** Signal that ended it (`SIGKILL` after the timeout). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON, when it is JSON. */
  result: unknown;
  /** Wall time, ms. */
  ms: number;
}

/**
 * Runs `code` (an ES module body; top-level await works) with `node --input-type=module`,
 * killing it after `timeoutMs`. The code can call `peak()` for `{ rss, maxRss, arrayBuffers }`
 * in bytes (`maxRss`: the peak resident size of the process so far).
 */
export function runChild(code: string, options: { timeoutMs?: number; args?: string[]; cwd?: string } = {}): Promise<ChildRun> {
  const { timeoutMs = 60_000, args = [], cwd } = options;
  const prelude =
    "const peak = () => ({ rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024, arrayBuffers: process.memoryUsage().arrayBuffers });\n";
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args, "--input-type=module", "-e", prelude + code], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").at(-1) ?? "";
      let result: unknown;
      try {
        result = JSON.parse(last);
      } catch {
        result = undefined;
      }
      resolve({ status, signal, stdout, stderr, result, ms: performance.now() - started });
    });
  });
}
