import { copyFile, mkdtemp, readdir, readFile, rm, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { openH5 } from "./open-h5.js";
import type { H5File } from "./open-h5.js";

async function h5Files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((e) => e.endsWith(".h5")).map((e) => join(root, e)).sort();
}

/** For each file: h5py's keys in its order and shapes; each dataset's float32 bytes to out/<n>.<i>.f32. */
const DUMP = `
import sys, os, json, numpy as np, h5py
out = sys.argv[1]
listing = []
for n, path in enumerate(sys.argv[2:]):
    with h5py.File(path, "r") as f:
        keys = list(f.keys())
        listing.append({"keys": keys, "shapes": [list(f[k].shape) for k in keys]})
        for i, k in enumerate(keys):
            np.asarray(f[k], dtype=np.float32).tofile(os.path.join(out, f"{n}.{i}.f32"))
print(json.dumps(listing))
`;

describe.skipIf(!DEEPREG_DATA || !PYTHON)("openH5 on DeepReg's test data (data/test/h5) against h5py", () => {
  let out: string;
  let files: string[];
  let listing: { keys: string[]; shapes: number[][] }[];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "drl-"));
    files = await h5Files(deepregPath("data", "test", "h5"));
    listing = JSON.parse(runPython(DUMP, [out, ...files]));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("finds the 16 .h5 files of paired/unpaired/grouped train/test", () => {
    expect(files).toHaveLength(16);
  });

  it.each([
    ["natively (the default)", true],
    ["through h5wasm (native: false)", false],
  ])("read %s: keys() equal sorted(h5py keys), shape(key) equal h5py shapes, read(key) bytes equal np.asarray(h5[key], dtype=np.float32)", async (_, native) => {
    let datasets = 0;
    for (const [n, file] of files.entries()) {
      const expected = listing[n];
      if (!expected) throw new Error(`no h5py listing for ${file}`);
      const h5 = (await openH5(file, { native })) as H5File & { nativeUnsupported(key: string): string | undefined };
      expect(h5.keys(), file).toEqual([...expected.keys].sort());
      for (const [i, key] of expected.keys.entries()) {
        expect(h5.shape(key), `${file} ${key}`).toEqual(expected.shapes[i]);
        // Every dataset of DeepReg's files is one the native reader covers.
        if (native) expect(h5.nativeUnsupported(key), `${file} ${key}`).toBeUndefined();
        const volume = h5.read(key);
        expect(volume.shape).toEqual(expected.shapes[i]);
        const bytes = Buffer.from(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength);
        expect(bytes.equals(await readFile(join(out, `${n}.${i}.f32`))), `${file} ${key}`).toBe(true);
        if ((expected.shapes[i]?.length ?? 0) === 4) {
          // Each label channel too, against the whole read's [..., c].
          const channels = expected.shapes[i]?.[3] as number;
          for (let c = 0; c < channels; c++) {
            const one = h5.read(key, { channel: c }).data;
            expect(one.every((v, j) => Object.is(v, volume.data[j * channels + c])), `${file} ${key}[..., ${c}]`).toBe(true);
          }
        }
        datasets += 1;
      }
      h5.close();
    }
    expect(datasets).toBe(files.reduce((sum, _, n) => sum + (listing[n]?.keys.length ?? 0), 0));
  });

  it("openH5(copy of paired/train/moving_images.h5 cut to 60%) -> TRUNCATED naming the copy", async () => {
    const source = deepregPath("data", "test", "h5", "paired", "train", "moving_images.h5");
    const cut = join(out, "moving_images.h5");
    await copyFile(source, cut);
    await truncate(cut, Math.floor((await stat(source)).size * 0.6));
    await expect(openH5(cut)).rejects.toMatchObject({
      code: "TRUNCATED",
      file: cut,
      message: expect.stringContaining(`${cut}: the HDF5 file is truncated`),
    });
  });
});
