// Lifecycle of the loader's worker threads, through the BUILT package (dist/worker.js runs in the
// threads): errors and crashes in a worker, break, close() during an iteration, idle workers kept
// between iterations, bounded read-ahead, and a process that exits by itself.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataLoader } from "../../dist/index.js";
import type { DataLoader, DataLoaderOptions } from "../../dist/index.js";
import { datasetConfig, tempDir, truncateNifti, writePaired } from "./data-loader-fixtures.js";

const DIST_INDEX = new URL("../../dist/index.js", import.meta.url).pathname;

let root: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writePaired("nifti", join(root, "good"), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]);
  await writePaired("nifti", join(root, "corrupt"), ["a", "b", "c", "d"], { labeled: false });
  await truncateNifti(join(root, "corrupt", "moving_images", "c.nii.gz"));
});

afterAll(async () => {
  await remove();
});

async function open(dir: string, options: DataLoaderOptions = {}, labeled = true): Promise<DataLoader> {
  return (await createDataLoader(datasetConfig("paired", "nifti", [dir], { labeled }), "train", { cwd: root, shuffle: false, ...options }))!;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("createDataLoader: workers, close and release", () => {
  it("a corrupt file read in a worker (workers: 2) rejects samples() naming the file; no worker stays alive", async () => {
    await using loader = await open("corrupt", { workers: 2 }, false);
    const error = await (async () => {
      for await (const s of loader.samples()) void s;
    })().catch((e: unknown) => e);
    const file = join(root, "corrupt", "moving_images", "c.nii.gz");
    expect(error).toMatchObject({ code: "TRUNCATED", file });
    expect((error as Error).message).toContain(`${file}`);
    expect((error as Error).message).toContain("(sample indices [2, -1], epoch 0)");
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 0, activeStreams: 0 });
  });

  it("a worker that exits while reading a file (workers: 2) rejects with WORKER_FAILED naming the file, never hangs", async () => {
    const file = join(root, "good", "fixed_labels", "e.nii.gz");
    process.env.DEEPREG_LOADER_TEST_WORKER_EXIT_ON = file;
    try {
      await using loader = await open("good", { workers: 2 });
      const seen: number[] = [];
      const error = await (async () => {
        for await (const b of loader.batches({ batchSize: 2, training: false, epochs: 1 })) seen.push(...b.indices.map((v) => v[0]!));
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "WORKER_FAILED", file });
      expect((error as Error).message).toContain(`a worker thread failed on ${file}: the worker thread exited with code 70`);
      expect((error as Error).message).toContain("epoch 0)");
      // every batch before the one holding image 4 (whose label crashed the worker) came out
      const position = loader.plan(0).findIndex((v) => v[0] === 4);
      expect(seen).toEqual(loader.plan(0).slice(0, position - (position % 2)).map((v) => v[0]));
      expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 0, activeStreams: 0 });
    } finally {
      delete process.env.DEEPREG_LOADER_TEST_WORKER_EXIT_ON;
    }
  });

  it("close() inside a for await over samples() (workers 0 and 2): the loop fails with CLOSED at its next step, workers end", async () => {
    for (const workers of [0, 2]) {
      const loader = await open("good", { workers, prefetch: 3 });
      let seen = 0;
      const error = await (async () => {
        for await (const s of loader.samples()) {
          seen += s.indices.length === 2 ? 1 : 0;
          if (seen === 2) await loader.close();
        }
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CLOSED", message: "the train loader was closed during the iteration" });
      expect(seen).toBe(2);
      expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 0, activeStreams: 0 });
    }
  });

  it("close() while the consumer awaits batches().next() (workers: 2) settles it, and the iteration ends with CLOSED", async () => {
    const loader = await open("good", { workers: 2 });
    const iterator = loader.batches({ batchSize: 3, epochs: 2 });
    const first = iterator.next().then(
      () => "batch",
      (e: unknown) => (e as { code?: string }).code,
    );
    await loader.close();
    const outcome = await first;
    if (outcome === "batch") await expect(iterator.next()).rejects.toMatchObject({ code: "CLOSED" });
    else expect(outcome).toBe("CLOSED");
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 0, activeStreams: 0 });
  });

  it("break after the first batch (workers: 2) terminates the workers: activeWorkers 0, idleWorkers 0", async () => {
    await using loader = await open("good", { workers: 2 });
    for await (const b of loader.batches({ batchSize: 2, epochs: 3 })) {
      expect(b.indices).toHaveLength(2);
      expect(loader.stats().activeWorkers).toBe(2);
      break;
    }
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 0, activeStreams: 0 });
  });

  it("samples() run to the end (workers: 2) hand their 2 idle workers to the next samples(); close() ends them", async () => {
    const loader = await open("good", { workers: 2 });
    const epoch0: number[][] = [];
    for await (const s of loader.samples({ epoch: 0 })) epoch0.push(s.indices);
    expect(epoch0).toHaveLength(12);
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 2, activeStreams: 0 });
    let during = {};
    for await (const s of loader.samples({ epoch: 1 })) {
      void s;
      during = loader.stats();
    }
    // the second iteration took the idle workers (none started beside them)
    expect(during).toMatchObject({ activeWorkers: 2, idleWorkers: 0, activeStreams: 1 });
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 2 });
    await loader.close();
    expect(loader.stats()).toMatchObject({ activeWorkers: 0, idleWorkers: 0 });
  });

  it("read-ahead is bounded: after taking 1 sample with prefetch 2, 3 samples (12 volumes) were read; after 1 batch of 2 with a shuffle buffer of 6, 4 samples", async () => {
    for (const workers of [0, 2]) {
      await using loader = await open("good", { workers, prefetch: 2 });
      const samples = loader.samples();
      await samples.next();
      for (let i = 0; i < 5; i++) await tick();
      expect(loader.stats().decodes).toBe(12);
      await samples.return();
      const before = loader.stats().decodes;
      const batches = loader.batches({ batchSize: 2, shuffleBufferNumBatch: 3, epochs: 1 });
      await batches.next();
      for (let i = 0; i < 5; i++) await tick();
      expect(loader.stats().decodes - before).toBe(16);
      await batches.return();
    }
  });

  it("a child process (node --input-type=module -e) iterating with workers: 2 exits by itself (break + close; run to the end without close; an abandoned iterator; never iterated nor closed)", async () => {
    const config = datasetConfig("paired", "nifti", [join(root, "good")]);
    const script = `
      import { createDataLoader } from ${JSON.stringify(DIST_INDEX)};
      const [config, mode] = [JSON.parse(process.argv[1]), process.argv[2]];
      const loader = await createDataLoader(config, "train", { workers: 2 });
      if (mode === "break-close") {
        for await (const b of loader.batches({ batchSize: 2 })) break;
        await loader.close();
      } else if (mode === "end") {
        for await (const s of loader.samples()) void s;
        if (loader.stats().idleWorkers !== 2) process.exitCode = 3;
      } else if (mode === "abandoned") {
        await loader.samples().next();
      }
      console.log("done " + mode);
    `;
    const run = (mode: string) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(config), mode], { timeout: 30_000 });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code, signal) => resolve({ code, signal, out, err }));
      });
    const modes = ["break-close", "end", "abandoned", "opened"];
    const results = await Promise.all(modes.map(run));
    expect(results.map((r) => ({ code: r.code, signal: r.signal, out: r.out.trim(), err: r.err }))).toEqual(
      modes.map((mode) => ({ code: 0, signal: null, out: `done ${mode}`, err: "" })),
    );
  });
});
