// The numpy/nibabel reference pipeline (python/numpy_pipeline.py), run through /usr/bin/python3
// when it has numpy and nibabel; otherwise the reason it was skipped.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { Shape3 } from "./generate.js";
import type { Workload } from "./workloads.js";

const PYTHON = process.env.DEEPREG_BENCH_PYTHON ?? "/usr/bin/python3";
/** python/numpy_pipeline.py (this file is apps/benchmark/dist/main.js once built). */
const SCRIPT = fileURLToPath(new URL("../python/numpy_pipeline.py", import.meta.url));

export type PythonResult = { ok: true; seconds: number[]; samples: number } | { ok: false; reason: string };

function run(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim().split("\n").at(-1) || error.message));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * `reps` epochs of the numpy/nibabel pipeline over the pairs of a NIfTI workload (`valid`
 * semantics: every label channel a sample), resizing to `movingShape` / `fixedShape`.
 */
export async function numpyPipeline(workload: Workload, movingShape: Shape3, fixedShape: Shape3, reps: number): Promise<PythonResult> {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  try {
    await run(["-c", "import numpy, nibabel"]);
  } catch (error) {
    return { ok: false, reason: `${PYTHON} cannot import numpy and nibabel (${(error as Error).message})` };
  }
  // The workload lists its files folder by folder (moving images, fixed images, moving labels,
  // fixed labels), each sorted: pair i is the i-th file of each folder.
  const n = workload.pairs;
  const pairs = Array.from({ length: n }, (_, i) => [0, 1, 2, 3].map((t) => workload.files[t * n + i]!));
  for (const p of pairs) {
    if (new Set(p.map((f) => basename(f))).size !== 1) return { ok: false, reason: `pair files do not match: ${p.join(", ")}` };
  }
  const out = await run([SCRIPT], JSON.stringify({ pairs, moving_shape: movingShape, fixed_shape: fixedShape, reps }));
  const result = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { seconds: number[]; samples: number };
  return { ok: true, seconds: result.seconds, samples: result.samples };
}
