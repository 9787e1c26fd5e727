import { DeepRegLoaderError } from "@deepreg-loader/core";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerPool } from "./worker-pool.js";

interface Task {
  op: "double" | "throw" | "plain-error" | "crash" | "hang";
  value?: number;
  file?: string;
}

const URL_ = new URL("./fixtures/test-worker.mjs", import.meta.url);
const pools: WorkerPool<Task, Float32Array>[] = [];

function pool(size: number): WorkerPool<Task, Float32Array> {
  const p = new WorkerPool<Task, Float32Array>(URL_, {
    size,
    describe: (t) => ({ label: t.file ?? "a test task", ...(t.file === undefined ? {} : { file: t.file }) }),
  });
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe("WorkerPool", () => {
  it("run({ op: 'double', value }) x 6 on 2 workers resolves each with its own transferred result", async () => {
    const p = pool(2);
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((value) => p.run({ op: "double", value })));
    expect(results.map((r) => Array.from(r))).toEqual([[2], [4], [6], [8], [10], [12]]);
    expect(results[0]).toBeInstanceOf(Float32Array);
    expect(p.pending).toBe(0);
  });

  it("run(task throwing NOT_NIFTI) rejects with that code and file; the pool keeps working", async () => {
    const p = pool(1);
    const error = await p.run({ op: "throw", file: "/data/a.nii.gz" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeepRegLoaderError);
    expect(error).toMatchObject({ code: "NOT_NIFTI", file: "/data/a.nii.gz", message: "/data/a.nii.gz: not NIfTI" });
    expect(Array.from(await p.run({ op: "double", value: 4 }))).toEqual([8]);
  });

  it("run(task failing with a plain error) rejects with WORKER_FAILED naming the task's file", async () => {
    const p = pool(1);
    await expect(p.run({ op: "plain-error", file: "/data/b.h5" })).rejects.toMatchObject({
      code: "WORKER_FAILED",
      file: "/data/b.h5",
      message: "a worker thread failed on /data/b.h5: boom",
    });
  });

  it("run(task crashing its worker) rejects with WORKER_FAILED, the worker is replaced, queued tasks still run", async () => {
    const p = pool(1);
    const crashed = p.run({ op: "crash", file: "/data/c.nii" });
    const next = p.run({ op: "double", value: 21 });
    await expect(crashed).rejects.toMatchObject({ code: "WORKER_FAILED", file: "/data/c.nii" });
    await expect(crashed).rejects.toThrow("a worker thread failed on /data/c.nii: the worker thread exited with code 3");
    expect(Array.from(await next)).toEqual([42]);
    expect(p.alive).toBe(1);
  });

  it("close() rejects running and queued tasks with CLOSED and terminates the workers", async () => {
    const p = pool(1);
    const running = p.run({ op: "hang" }).catch((e: unknown) => e);
    const queued = p.run({ op: "double", value: 1 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await p.close();
    expect(await running).toMatchObject({ code: "CLOSED" });
    expect(await queued).toMatchObject({ code: "CLOSED" });
    expect(p.alive).toBe(0);
    await expect(p.run({ op: "double", value: 1 })).rejects.toMatchObject({ code: "CLOSED" });
  });

  it("new WorkerPool(missing script) throws WORKER_FAILED naming the script", () => {
    const missing = new URL("./fixtures/missing-worker.js", import.meta.url);
    expect(() => new WorkerPool(missing, { size: 1 })).toThrow(/missing-worker\.js does not exist/);
  });

  it("new WorkerPool(...) under `node --max-old-space-size=512 --expose-gc [--input-type=module]` runs tasks", async () => {
    // Worker options refused in an explicit execArgv (ERR_WORKER_INVALID_EXEC_ARGV) but inherited fine.
    const saved = process.execArgv;
    try {
      for (const args of [["--max-old-space-size=512", "--expose-gc"], ["--input-type=module", "--max-old-space-size=512"]]) {
        process.execArgv = [...saved, ...args];
        const p = pool(1);
        expect(Array.from(await p.run({ op: "double", value: 21 }))).toEqual([42]);
      }
    } finally {
      process.execArgv = saved;
    }
  });
});
