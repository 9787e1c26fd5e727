import { afterAll, describe, expect, it } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";
import { createFileLoader } from "./file-loaders.js";
import { AUTO_WORKERS_MIN_EPOCH_BYTES, autoWorkers, resolveOptions } from "./options.js";
import { VolumeSource } from "./volume-source.js";

/** The built worker (tests run after the build): src/ has no worker.js beside it. */
const WORKER_URL = new URL("../../dist/worker.js", import.meta.url);

describe("autoWorkers(epochBytes, cores)", () => {
  it("is 0 below the threshold or on one core, else one per core up to 4", () => {
    expect(autoWorkers(AUTO_WORKERS_MIN_EPOCH_BYTES - 1, 2)).toBe(0);
    expect(autoWorkers(AUTO_WORKERS_MIN_EPOCH_BYTES, 1)).toBe(0);
    expect(autoWorkers(AUTO_WORKERS_MIN_EPOCH_BYTES, 2)).toBe(2);
    expect(autoWorkers(2 ** 40, 16)).toBe(4);
  });

  it('resolveOptions: workers defaults to "auto" (prefetch settled later); a bad value names "auto"', () => {
    expect(resolveOptions("train", {})).toMatchObject({ workers: "auto", prefetch: undefined });
    expect(resolveOptions("train", { workers: 2 })).toMatchObject({ workers: 2, prefetch: 4 });
    expect(() => resolveOptions("train", { workers: "many" as never })).toThrow(/workers must be an integer >= 0 or "auto", found "many"/);
  });
});

describe.skipIf(DEEPREG_DATA === undefined)("VolumeSource with workers started in the background", () => {
  const sources: VolumeSource[] = [];
  afterAll(() => Promise.all(sources.map((s) => s.close())));

  it("starts no workers until startWorkers(ctx), reads on the calling thread before it and on the workers (queued while they load) after it, with the same volumes", async () => {
    const dir = deepregPath("data", "test", "nifti", "paired", "train", "moving_images");
    const ids = ["case000000", "case000001", "case000002", "case000003", "case000004", "case000005"];
    const files = createFileLoader("nifti", ids.map((id) => ({ id, path: `${dir}/${id}.nii.gz` })));
    const plain = new VolumeSource(0, 0);
    const background = new VolumeSource(2, 0, WORKER_URL, { background: true });
    sources.push(plain, background);
    const a = plain.open();
    const b = background.open();
    expect(background.stats()).toMatchObject({ idleWorkers: 0, activeWorkers: 0 }); // none before the first sample
    const first = await background.volume("image", files, 0, [64, 64, 60], undefined, b).promise;
    expect(first).toEqual(await plain.volume("image", files, 0, [64, 64, 60], undefined, a).promise);
    expect(b.pool).toBeNull();
    background.startWorkers(b);
    background.startWorkers(b); // idempotent
    expect(background.stats().activeWorkers).toBe(2);
    // A read right after the start goes to the workers, queued while they load.
    expect(b.pool?.ready).toBe(0);
    const queued = background.volume("image", files, 1, [64, 64, 60], undefined, b).promise;
    expect(b.pool?.pending).toBe(1);
    expect(await queued).toEqual(await plain.volume("image", files, 1, [64, 64, 60], undefined, a).promise);
    // Every later read goes to them too and gives the same volumes.
    const started = Date.now();
    while ((b.pool?.ready ?? 0) < 2 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    expect(b.pool?.ready).toBe(2);
    for (let i = 2; i < ids.length; i++) {
      const expected = await plain.volume("image", files, i, [64, 64, 60], undefined, a).promise;
      expect(await background.volume("image", files, i, [64, 64, 60], undefined, b).promise).toEqual(expected);
    }
    await plain.end(a, true);
    await background.end(b, true);
    // The next iteration takes the finished one's workers at once.
    const c = background.open();
    expect(c.pool?.ready).toBe(2);
    await background.end(c, true);
  });
});
