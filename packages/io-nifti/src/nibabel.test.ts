// Cross-check with nibabel: files we write load in nibabel with the same shape, values and
// affine; files nibabel writes (scaled, big-endian, NIfTI-2, qform-only, extensions) read
// here as `np.asarray(nib.load(p).dataobj, dtype=np.float32)`.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DType } from "@deepreg-loader/core";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import type { EncodeNiftiOptions } from "./encode-nifti.js";
import { readNifti, readNiftiHeader } from "./read-nifti.js";
import { tempDir, volumeOf } from "./test-helpers.js";
import { writeNifti } from "./write-nifti.js";

const SCRIPT = String.raw`
import glob, json, os, sys
import nibabel as nib, numpy as np
d = sys.argv[1]
os.makedirs(os.path.join(d, "py"))
def save(img, name):
    nib.save(img, os.path.join(d, "py", name))
shape = (5, 4, 3)
ramp = np.arange(60, dtype=np.float64).reshape(shape) * 0.37 - 5
aff = np.array([[0, -1.5, 0, 10], [2, 0, 0, -3], [0, 0, 0.5, 7], [0, 0, 0, 1]])
img = nib.Nifti1Image(ramp, aff); img.set_data_dtype(np.int16); save(img, "scaled_int16.nii")
img = nib.Nifti1Image(ramp, aff); img.set_data_dtype(np.uint8); save(img, "scaled_uint8.nii.gz")
be = nib.Nifti1Header(endianness=">")
img = nib.Nifti1Image((np.arange(60).reshape(shape) * 1000003 - 7).astype(np.int32), aff, be); save(img, "big_endian_int32.nii.gz")
img = nib.Nifti2Image(ramp, aff); save(img, "nifti2_float64.nii")
img = nib.Nifti2Image(ramp.astype(np.float32), aff, nib.Nifti2Header(endianness=">")); save(img, "nifti2_big_endian_float32.nii.gz")
img = nib.Nifti1Image(ramp.astype(np.float32), None)
img.set_qform(np.array([[0, 0, -2, 1], [0.5, 0, 0, 2], [0, 3, 0, 3], [0, 0, 0, 1]]), code=1)
img.set_sform(None, code=0); save(img, "qform_only.nii")
img = nib.Nifti1Image(ramp.astype(np.float32), None); img.set_sform(None, code=0); img.set_qform(None, code=0); save(img, "no_affine.nii")
img = nib.Nifti1Image((np.arange(120).reshape(5, 4, 3, 2) % 2).astype(np.uint8), aff); save(img, "label_4d.nii.gz")
img = nib.Nifti1Image(ramp.astype(np.float32), aff)
img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"an extension of some length"))
save(img, "extension.nii")
img = nib.Nifti1Image((np.arange(60).reshape(shape) - 30).astype(np.int64) * (2**40), aff, dtype=np.int64); save(img, "int64.nii")
out = {}
for p in sorted(glob.glob(os.path.join(d, "**", "*.nii*"), recursive=True)):
    img = nib.load(p)
    a = np.asarray(img.dataobj, dtype=np.float32)
    h = img.header
    out[os.path.relpath(p, d)] = {
        "shape": list(a.shape),
        "values": a.ravel(order="C").tolist(),
        "affine": img.affine.tolist(),
        "dtype": str(img.get_data_dtype().newbyteorder("=")),
        "sform_code": int(h["sform_code"]),
        "qform_code": int(h["qform_code"]),
        "offset": int(img.dataobj.offset),
        "little_endian": h.endianness == "<",
        "numpy_major": int(np.__version__.split(".")[0]),
    }
    slope, inter = float(img.dataobj.slope), float(img.dataobj.inter)
    if (slope, inter) != (1, 0):
        raw = np.asarray(img.dataobj.get_unscaled(), dtype=np.float64)
        out[os.path.relpath(p, d)]["inter"] = inter
        out[os.path.relpath(p, d)]["values64"] = (raw * slope + inter).astype(np.float32).ravel(order="C").tolist()
print(json.dumps(out))
`;

interface Loaded {
  shape: number[];
  values: number[];
  affine: number[][];
  dtype: string;
  sform_code: number;
  qform_code: number;
  offset: number;
  little_endian: boolean;
  numpy_major: number;
  /** Scaled files: raw values * slope + inter in float64, rounded once to float32. */
  values64?: number[];
  inter?: number;
}

const rotated = [
  [0, 0, -1.5, 30],
  [0.75, 0, 0, -12],
  [0, 2, 0, 4.5],
  [0, 0, 0, 1],
];
const sheared = [
  [1, 0.25, 0, 1],
  [0, 1, 0, 2],
  [0, 0, 1, 3],
  [0, 0, 0, 1],
];

/** Fixtures we write: name -> (shape, values, options). */
const OURS: [string, number[], (n: number) => number, EncodeNiftiOptions][] = [
  ...(["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64"] as DType[]).map(
    (dtype): [string, number[], (n: number) => number, EncodeNiftiOptions] => [
      `ours/${dtype}.nii.gz`,
      [5, 4, 3],
      (n) => (dtype.startsWith("u") ? n * 3 : n * 3 - 90) + (dtype.startsWith("float") ? 0.25 : 0),
      { dtype, affine: rotated },
    ],
  ),
  ["ours/nifti2_big_endian_int16.nii", [5, 4, 3, 2], (n) => n * 250 - 15000, { dtype: "int16", version: 2, littleEndian: false, affine: rotated }],
  ["ours/big_endian_float64.nii.gz", [5, 4, 3], (n) => n / 7, { dtype: "float64", littleEndian: false }],
  ["ours/label_4d.nii", [5, 4, 3, 3], (n) => n % 2, { dtype: "uint8", pixdim: [0.4, 0.5, 0.6] }],
  ["ours/sheared.nii", [5, 4, 3], (n) => n, { affine: sheared }],
  ["ours/qform_only.nii", [5, 4, 3], (n) => n, { affine: rotated, sformCode: 0, qformCode: 1 }],
];

function expectAffineClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
}

describe.skipIf(!PYTHON)("nibabel cross-check (needs python with nibabel)", () => {
  let dir = "";
  let remove = async (): Promise<void> => {};
  let loaded: Record<string, Loaded> = {};

  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(dir, "ours"));
    await Promise.all(OURS.map(([name, shape, value, options]) => writeNifti(join(dir, name), volumeOf(shape, value), options)));
    loaded = JSON.parse(runPython(SCRIPT, [dir])) as Record<string, Loaded>;
  });
  afterAll(() => remove());

  test.each(OURS)("nibabel.load(writeNifti(%s)) has our shape, values and affine", async (name, shape, value, options) => {
    const nib = loaded[name];
    const volume = volumeOf(shape, value);
    expect(nib?.shape).toEqual(shape);
    expect(nib?.values).toEqual(Array.from(volume.data));
    expect(nib?.dtype).toBe(options.dtype ?? "float32");
    expect(nib?.little_endian).toBe(options.littleEndian ?? true);
    expect(nib?.sform_code).toBe(options.sformCode ?? 2);
    expect(nib?.qform_code).toBe(options.qformCode ?? (name.includes("sheared") ? 0 : 2));
    const header = await readNiftiHeader(join(dir, name));
    expectAffineClose(nib!.affine, options.affine ?? header.affine);
    if (header.affineSource === "qform") expectAffineClose(header.affine, nib!.affine);
    else expect(header.affine).toEqual(nib?.affine);
  });

  const theirs = [
    "scaled_int16.nii",
    "scaled_uint8.nii.gz",
    "big_endian_int32.nii.gz",
    "nifti2_float64.nii",
    "nifti2_big_endian_float32.nii.gz",
    "qform_only.nii",
    "no_affine.nii",
    "label_4d.nii.gz",
    "extension.nii",
    "int64.nii",
  ];
  test.each(theirs)("readNifti(nibabel's %s) equals np.asarray(dataobj, float32)", async (name) => {
    const nib = loaded[`py/${name}`]!;
    const path = join(dir, "py", name);
    const volume = await readNifti(path);
    expect(volume.shape).toEqual(nib.shape);
    if (nib.values64 === undefined || nib.numpy_major >= 2) {
      expect(Array.from(volume.data)).toEqual(nib.values);
    } else {
      // Scaled data under NumPy 1.x: nibabel computes 8/16-bit ints and float32 in float32
      // (the product is rounded before the intercept is added); we compute in float64 and
      // round once, as nibabel does on NumPy 2. The difference is within float32 rounding
      // of the intermediate values.
      expect(Array.from(volume.data)).toEqual(nib.values64);
      const scale = Math.max(...nib.values.map(Math.abs)) + 2 * Math.abs(nib.inter ?? 0);
      volume.data.forEach((v, i) => expect(Math.abs(v - nib.values[i]!)).toBeLessThanOrEqual(scale * 2 ** -22));
    }
    const header = await readNiftiHeader(path);
    expect(header.voxOffset).toBe(nib.offset);
    expect(header.littleEndian).toBe(nib.little_endian);
    if (header.affineSource === "qform") expectAffineClose(header.affine, nib.affine);
    else expect(header.affine).toEqual(nib.affine);
  });

  test("nibabel's extension.nii has vox_offset > 352 and big_endian files are big-endian", () => {
    expect(loaded["py/extension.nii"]?.offset).toBeGreaterThan(352);
    expect(loaded["py/big_endian_int32.nii.gz"]?.little_endian).toBe(false);
    expect(loaded["py/nifti2_big_endian_float32.nii.gz"]?.little_endian).toBe(false);
  });
});
