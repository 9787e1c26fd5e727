// An H5 split whose files the native reader describes wholly never starts h5wasm, on the main
// thread or in a worker: with h5wasm forbidden in every thread (the io-h5 test hook
// DEEPREG_LOADER_TEST_FORBID_H5WASM=1, inherited by worker threads), the loader gives the very
// stream it gives with h5wasm reading everything (DEEPREG_LOADER_H5_NATIVE=0), at workers 0 and 2.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild } from "../../../../test-utils/child.js";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";
import { tempDir, writePaired } from "./data-loader-fixtures.js";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

let root = "";
let remove: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("h5", join(root, "paired"), ["a", "b", "c", "d", "e"]);
});
afterAll(() => remove());

/**
 * Runs an epoch of `dir` (paired H5, labeled, `valid` semantics: every label) in a fresh process
 * with `env` set before anything loads, at each of `workers`; returns per workers setting a
 * digest of the stream (indices and every value) or the error code.
 */
async function epochs(dir: string, shapes: [number[], number[]], env: Record<string, string>, workers: number[]): Promise<Record<string, string>> {
  const run = await runChild(
    `Object.assign(process.env, ${JSON.stringify(env)});
     const { createHash } = await import("node:crypto");
     const { createDataLoader, validateConfig } = await import(${JSON.stringify(DIST)});
     const checked = validateConfig({ dataset: { valid: { dir: [${JSON.stringify(dir)}], format: "h5", labeled: true }, type: "paired",
       moving_image_shape: ${JSON.stringify(shapes[0])}, fixed_image_shape: ${JSON.stringify(shapes[1])} } });
     const out = {};
     for (const workers of ${JSON.stringify(workers)}) {
       const hash = createHash("sha256");
       try {
         const loader = await createDataLoader(checked.config.dataset, "valid", { workers, seed: 3, cacheBytes: 0 });
         try {
           for await (const s of loader.samples({ epoch: 0 })) {
             hash.update(JSON.stringify(s.indices));
             for (const v of [s.movingImage, s.fixedImage, s.movingLabel, s.fixedLabel]) hash.update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
           }
         } finally {
           await loader.close();
         }
         out[workers] = hash.digest("hex");
       } catch (e) {
         out[workers] = e.code ?? String(e);
       }
     }
     console.log(JSON.stringify(out));`,
    { timeoutMs: 120_000 },
  );
  expect(run.stderr).toBe("");
  return run.result as Record<string, string>;
}

describe("an H5 split read without h5wasm", () => {
  it("workers 0 and 2 with h5wasm forbidden in every thread: the stream h5wasm gives", async () => {
    const dir = join(root, "paired");
    const shapes: [number[], number[]] = [[4, 3, 2], [3, 2, 4]];
    const forbidden = await epochs(dir, shapes, { DEEPREG_LOADER_TEST_FORBID_H5WASM: "1" }, [0, 2]);
    const wasm = await epochs(dir, shapes, { DEEPREG_LOADER_H5_NATIVE: "0" }, [0]);
    expect(wasm["0"]).toMatch(/^[0-9a-f]{64}$/);
    expect(forbidden).toEqual({ 0: wasm["0"], 2: wasm["0"] });
  }, 240_000);

  it("the hook bites: h5wasm forbidden and the native reader off -> the loader cannot read (READ_FAILED)", async () => {
    const result = await epochs(join(root, "paired"), [[4, 3, 2], [3, 2, 4]], { DEEPREG_LOADER_TEST_FORBID_H5WASM: "1", DEEPREG_LOADER_H5_NATIVE: "0" }, [0]);
    expect(result["0"]).not.toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  it.skipIf(!DEEPREG_DATA)("DeepReg's paired H5 train split, workers 2, h5wasm forbidden: the stream h5wasm gives", async () => {
    const dir = deepregPath("data", "test", "h5", "paired", "train");
    const shapes: [number[], number[]] = [[64, 64, 60], [44, 59, 41]];
    const forbidden = await epochs(dir, shapes, { DEEPREG_LOADER_TEST_FORBID_H5WASM: "1" }, [2]);
    const wasm = await epochs(dir, shapes, { DEEPREG_LOADER_H5_NATIVE: "0" }, [2]);
    expect(wasm["2"]).toMatch(/^[0-9a-f]{64}$/);
    expect(forbidden).toEqual(wasm);
  }, 240_000);
});
