import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openH5 } from "./open-h5.js";
import { writeH5 } from "./write-h5.js";

/** The built package, as the loader's workers will import it. */
const DIST = new URL("../dist/index.js", import.meta.url);

const WORKER = `
import { parentPort, workerData } from "node:worker_threads";
import { openH5 } from ${JSON.stringify(DIST.href)};
const results = [];
for (const file of workerData.files) {
  try {
    const h5 = await openH5(file);
    for (const key of h5.keys()) {
      const volume = h5.read(key);
      results.push({ file, key, shape: volume.shape, data: volume.data });
    }
    h5.close();
  } catch (error) {
    results.push({ file, error: { code: error.code, message: error.message } });
  }
}
parentPort.postMessage(results, results.filter((r) => r.data).map((r) => r.data.buffer));
`;

interface Result {
  file: string;
  key?: string;
  shape?: number[];
  data?: Float32Array;
  error?: { code: string; message: string };
}

function runWorker(script: string, files: string[]): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { files } });
    worker.once("message", (results: Result[]) => {
      resolve(results);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker exited with code ${code} before answering`)));
  });
}

let dir: string;
let script: string;
let fixture: string;

beforeAll(async () => {
  if (!existsSync(fileURLToPath(DIST))) throw new Error(`build the package first: ${fileURLToPath(DIST)} is missing`);
  dir = await mkdtemp(join(tmpdir(), "drl-"));
  script = join(dir, "worker.mjs");
  await writeFile(script, WORKER);
  fixture = join(dir, "pair.h5");
  await writeH5(
    fixture,
    {
      image: { data: Float32Array.from({ length: 60 }, (_, i) => Math.cos(i) * 100), shape: [5, 4, 3] },
      label: { data: Uint8Array.from({ length: 120 }, (_, i) => i % 2), shape: [5, 4, 3, 2] },
    },
    { compression: "gzip" },
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openH5 inside worker_threads", () => {
  it("two Workers each open and read the file (own wasm instance) and match the main-thread read", async () => {
    const main = await openH5(fixture);
    const [a, b] = await Promise.all([runWorker(script, [fixture]), runWorker(script, [fixture])]);
    for (const results of [a, b]) {
      expect(results.map((r) => [r.key, r.shape])).toEqual([
        ["image", [5, 4, 3]],
        ["label", [5, 4, 3, 2]],
      ]);
      for (const r of results) expect(r.data).toEqual(main.read(r.key as string).data);
    }
    main.close();
  });

  it("openH5(missing) inside a Worker -> NOT_FOUND, the worker keeps going", async () => {
    const missing = join(dir, "missing.h5");
    const results = await runWorker(script, [missing, fixture]);
    expect(results[0]).toEqual({ file: missing, error: { code: "NOT_FOUND", message: `${missing}: no such HDF5 file` } });
    expect(results.slice(1).map((r) => r.key)).toEqual(["image", "label"]);
  });

  it("dist/index.js loads h5wasm lazily (dynamic import only), so importing the package starts no wasm", async () => {
    const code = await readFile(DIST, "utf8");
    expect(code).not.toMatch(/^import[^;]*["']h5wasm/m);
    expect(code).toMatch(/import\(["']h5wasm\/node["']\)/);
  });
});
