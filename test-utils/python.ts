// Finds a Python with numpy, nibabel and h5py for cross-checks against the reference
// libraries. Tests that need it use `describe.skipIf(!PYTHON)` and print why.
import { execFileSync } from "node:child_process";

function probe(bin: string): boolean {
  try {
    execFileSync(bin, ["-c", "import numpy, nibabel, h5py"], { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function locate(): string | undefined {
  const candidates = [process.env.DEEPREG_PYTHON, "/usr/bin/python3", "python3"].filter(
    (c): c is string => Boolean(c),
  );
  return candidates.find(probe);
}

/** A python executable with numpy, nibabel and h5py, or undefined. */
export const PYTHON: string | undefined = locate();

if (!PYTHON) {
  console.warn(
    "[deepreg-loader tests] no python3 with numpy, nibabel and h5py: reference cross-checks are skipped.",
  );
}

/** Runs a Python script with arguments and returns its stdout. */
export function runPython(script: string, args: string[] = []): string {
  if (!PYTHON) throw new Error("python with nibabel/h5py not available");
  return execFileSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
}
