// Labels prepared as one array per channel (`VolumeTask.planes`) against the readers: every
// sample of DeepReg's paired data with all labels holds exactly `takeChannel` of its files'
// labels, on the main thread, in workers (planes transferred), from a cache, for NIfTI and H5.
import { readdir } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openH5, readNifti, takeChannel, validateConfig } from "../../dist/index.js";
import type { DataLoader, DataLoaderOptions, DatasetConfig, Volume } from "../../dist/index.js";
import { createDataLoader } from "../../dist/index.js";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";

const loaders: DataLoader[] = [];
afterAll(() => Promise.all(loaders.splice(0).map((l) => l.close())));

function config(format: "nifti" | "h5"): DatasetConfig {
  const dir = deepregPath("data", "test", format, "paired", "train");
  const checked = validateConfig({
    dataset: { train: { dir: [dir], format, labeled: true }, type: "paired", moving_image_shape: [64, 64, 60], fixed_image_shape: [44, 59, 41] },
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.config.dataset;
}

/** Label `index` (in DeepReg's sorted order) of `top`, read by the plain readers, as channels. */
async function labelsOf(format: "nifti" | "h5", top: "moving_labels" | "fixed_labels"): Promise<Volume[]> {
  const dir = deepregPath("data", "test", format, "paired", "train");
  if (format === "nifti") {
    const names = (await readdir(`${dir}/${top}`)).filter((n) => n.endsWith(".nii.gz")).sort();
    return Promise.all(names.map((n) => readNifti(`${dir}/${top}/${n}`)));
  }
  const h5 = await openH5(`${dir}/${top}.h5`);
  try {
    return h5.keys().map((k) => h5.read(k));
  } finally {
    h5.close();
  }
}

function channel(label: Volume, c: number): Float32Array {
  return label.shape.length === 4 && label.shape[3]! > 1 ? takeChannel(label, c).data : label.data;
}

/** Bytes of a float32 array (compared whole: 245,760 values per label). */
function bytes(data: Float32Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

describe.skipIf(DEEPREG_DATA === undefined)("labels as planes (all labels, DeepReg's paired data)", () => {
  for (const format of ["nifti", "h5"] as const) {
    it(`${format}: every sample's labels equal takeChannel of the files' labels, workers 0 and 2, cache on and off, arrays owned`, async () => {
      const moving = await labelsOf(format, "moving_labels");
      const fixed = await labelsOf(format, "fixed_labels");
      const expectedSamples = moving.reduce((n, l) => n + (l.shape.length === 4 ? l.shape[3]! : 1), 0);
      const cases: DataLoaderOptions[] = [{ workers: 0 }, { workers: 2 }, { workers: 0, cacheBytes: 2 ** 28 }];
      for (const options of cases) {
        const loader = await createDataLoader(config(format), "train", { seed: 1, labelSampling: "all", ...options });
        loaders.push(loader);
        const buffers = new Set<ArrayBufferLike>();
        let samples = 0;
        for (const epoch of options.cacheBytes === undefined ? [0] : [0, 1]) {
          for await (const s of loader.samples({ epoch })) {
            const [pair, c] = s.indices as [number, number];
            const where = { options, indices: s.indices };
            expect({ ...where, moving: bytes(s.movingLabel!.data).equals(bytes(channel(moving[pair]!, c))) }).toEqual({ ...where, moving: true });
            expect({ ...where, fixed: bytes(s.fixedLabel!.data).equals(bytes(channel(fixed[pair]!, c))) }).toEqual({ ...where, fixed: true });
            expect(s.movingLabel!.shape).toEqual([64, 64, 60]);
            for (const v of [s.movingImage, s.fixedImage, s.movingLabel!, s.fixedLabel!]) {
              expect(buffers.has(v.data.buffer)).toBe(false);
              buffers.add(v.data.buffer);
              v.data.fill(-1);
            }
            samples += 1;
          }
        }
        expect(samples).toBe(expectedSamples * (options.cacheBytes === undefined ? 1 : 2));
      }
    });
  }
});
