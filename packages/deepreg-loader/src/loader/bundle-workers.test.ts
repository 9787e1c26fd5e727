// A trainer bundled with esbuild keeps its worker threads: the recipe of the README (the
// loader's dist/worker.js as a second entry point named worker.js) and the `workerUrl` option,
// and a bundle without either fails with WORKER_FAILED saying what to do. Runs the BUILT
// package (dist/); build first: `pnpm turbo run build --filter=deepreg-loader...`.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataLoader } from "../../dist/index.js";
import { image, label, tempDir, writeTop } from "./data-loader-fixtures.js";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHAPE = [4, 5, 6];
const run = promisify(execFile);

const TRAINER = `
import { createDataLoader } from "deepreg-loader";
const [dir, workerUrl] = process.argv.slice(2);
const dataset = { type: "paired", train: { dir, format: "nifti", labeled: true }, moving_image_shape: [4, 5, 6], fixed_image_shape: [4, 5, 6] };
const loader = await createDataLoader(dataset, "train", { seed: 3, workers: 2, ...(workerUrl ? { workerUrl } : {}) });
try {
  const out = [];
  for await (const b of loader.batches({ batchSize: 2, training: true, epochs: 2 })) {
    out.push([b.indices, [b.movingImage, b.fixedImage, b.movingLabel, b.fixedLabel].map((v) => v.data.reduce((a, x) => a + x, 0))]);
  }
  console.log(JSON.stringify({ out, idleWorkers: loader.stats().idleWorkers })); // kept after a finished iteration
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
} finally {
  await loader.close();
}
`;

let root: string;
let remove: () => Promise<void>;
let dataDir: string;

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  dataDir = join(root, "data");
  for (const top of ["moving_images", "fixed_images"]) {
    await writeTop("nifti", dataDir, top, Object.fromEntries([0, 1, 2, 3, 4].map((c) => [`case${c}`, image(SHAPE, c + (top[0] === "f" ? 9 : 0))])));
  }
  for (const top of ["moving_labels", "fixed_labels"]) {
    await writeTop("nifti", dataDir, top, Object.fromEntries([0, 1, 2, 3, 4].map((c) => [`case${c}`, label(SHAPE, c)])));
  }
  await writeFile(join(root, "trainer.mjs"), TRAINER);
});

afterAll(async () => {
  await remove?.();
});

/** The same stream read by the built package in this process, without workers. */
async function expected(): Promise<unknown> {
  const dataset = { type: "paired", train: { dir: dataDir, format: "nifti", labeled: true }, moving_image_shape: SHAPE, fixed_image_shape: SHAPE };
  const loader = await createDataLoader(dataset as never, "train", { seed: 3, workers: 0 });
  if (loader === null) throw new Error("the train split has data");
  const out = [];
  for await (const b of loader.batches({ batchSize: 2, training: true, epochs: 2 })) {
    out.push([b.indices, [b.movingImage, b.fixedImage, b.movingLabel, b.fixedLabel].map((v) => v!.data.reduce((a, x) => a + x, 0))]);
  }
  await loader.close();
  return out;
}

async function bundle(outdir: string, withWorker: boolean): Promise<string> {
  await build({
    entryPoints: withWorker
      ? { trainer: join(root, "trainer.mjs"), worker: join(PACKAGE, "dist/worker.js") }
      : { trainer: join(root, "trainer.mjs") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir,
    alias: { "deepreg-loader": join(PACKAGE, "dist/index.js") },
    // CommonJS dependencies bundled into ESM call require() for Node built-ins.
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    logLevel: "silent",
  });
  return join(outdir, "trainer.js");
}

async function runBundle(trainer: string, ...args: string[]): Promise<{ out?: unknown; idleWorkers?: number; code?: string; message?: string }> {
  const { stdout } = await run(process.execPath, [trainer, dataDir, ...args], { cwd: root });
  return JSON.parse(stdout.trim());
}

describe("a trainer bundled with esbuild, workers: 2", () => {
  it("with dist/worker.js bundled as a second entry point (worker.js beside the bundle) streams what workers: 0 streams", async () => {
    const trainer = await bundle(join(root, "out-recipe"), true);
    const result = await runBundle(trainer);
    expect(result.code).toBeUndefined();
    expect(result.out).toEqual(await expected());
    expect((result.out as unknown[]).length).toBe(4); // 2 epochs x 2 full batches of 5 pairs
    expect(result.idleWorkers).toBe(2); // the 2 worker threads ran and finished
  });

  it("without the worker entry but with { workerUrl } pointing at dist/worker.js streams the same", async () => {
    const trainer = await bundle(join(root, "out-option"), false);
    const result = await runBundle(trainer, join(PACKAGE, "dist/worker.js"));
    expect(result.code).toBeUndefined();
    expect(result.out).toEqual(await expected());
    expect(result.idleWorkers).toBe(2);
  });

  it("without either, fails with WORKER_FAILED naming the missing path and saying what to do", async () => {
    const outdir = join(root, "out-plain");
    const trainer = await bundle(outdir, false);
    const result = await runBundle(trainer);
    expect(result.code).toBe("WORKER_FAILED");
    expect(result.message).toContain(join(outdir, "worker.js"));
    expect(result.message).toMatch(/second entry point named worker\.js/);
    expect(result.message).toMatch(/workerUrl/);
    expect(result.message).toMatch(/workers: 0/);
  });

  it("createDataLoader(..., { workerUrl: 42 }) -> INVALID_ARGUMENT before opening anything", async () => {
    const dataset = { type: "paired", train: { dir: dataDir, format: "nifti", labeled: true }, moving_image_shape: SHAPE, fixed_image_shape: SHAPE };
    await expect(createDataLoader(dataset as never, "train", { workerUrl: 42 as never })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "workerUrl must be a file: URL or a path, found 42",
    });
  });
});
