import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DTYPES } from "@deepreg-loader/core";
import type { DType } from "@deepreg-loader/core";
import { readNifti, readNiftiHeader } from "./read-nifti.js";
import { caught, tempDir, volumeOf } from "./test-helpers.js";
import { writeNifti } from "./write-nifti.js";

let dir = "";
let remove = async (): Promise<void> => {};
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
});
afterAll(() => remove());

const affine = [
  [0, 0, -1.5, 30],
  [0.75, 0, 0, -12],
  [0, 2, 0, 4.5],
  [0, 0, 0, 1],
];
const signed = new Set<DType>(["int8", "int16", "int32", "int64", "float32", "float64"]);

describe("writeNifti", () => {
  test.each(DTYPES.flatMap((dtype) => [".nii", ".nii.gz"].map((ext) => [dtype, ext] as const)))(
    "writeNifti(%s, [5,4,3,2] %s) reads back identically",
    async (dtype, ext) => {
      const v = volumeOf([5, 4, 3, 2], (n) => (signed.has(dtype) ? n - 60 : n) + (dtype.startsWith("float") ? 0.5 : 0));
      const path = join(dir, `${dtype}${ext}`);
      await writeNifti(path, v, { dtype, affine });
      const back = await readNifti(path);
      expect(back.shape).toEqual([5, 4, 3, 2]);
      expect(back.data).toEqual(v.data);
      const h = await readNiftiHeader(path);
      expect(h).toMatchObject({ dtype, sformCode: 2, qformCode: 2, pixdim: [0.75, 2, 1.5, 1] });
      expect(h.affine).toEqual(affine);
      const head = await readFile(path);
      expect(head[0] === 0x1f && head[1] === 0x8b).toBe(ext === ".nii.gz");
    },
  );

  test("writeNifti(x.nii, volume) defaults: float32, identity affine", async () => {
    const path = join(dir, "default.nii");
    await writeNifti(path, volumeOf([5, 4, 3], (n) => n / 3));
    const h = await readNiftiHeader(path);
    expect(h.dtype).toBe("float32");
    expect(h.affine).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
  });

  test("writeNifti(x.NII.GZ) picks gzip case-insensitively", async () => {
    const path = join(dir, "upper.NII.GZ");
    await writeNifti(path, volumeOf([2, 2, 2], (n) => n));
    expect((await readFile(path))[0]).toBe(0x1f);
  });

  test("writeNifti(x.img) throws INVALID_ARGUMENT; writeNifti(missing dir) throws WRITE_FAILED", async () => {
    const v = volumeOf([2, 2, 2], (n) => n);
    expect((await caught(() => writeNifti(join(dir, "x.img"), v))).code).toBe("INVALID_ARGUMENT");
    const error = await caught(() => writeNifti(join(dir, "no", "such", "dir.nii.gz"), v));
    expect(error.code).toBe("WRITE_FAILED");
    expect(error.cause).toMatchObject({ code: "ENOENT" });
  });

  test("writeNifti(x.nii.gz, 1.5 as uint8) throws INVALID_ARGUMENT naming the file", async () => {
    const path = join(dir, "bad.nii.gz");
    const error = await caught(() => writeNifti(path, volumeOf([1, 1, 1], () => 1.5), { dtype: "uint8" }));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message.startsWith(`${path}: cannot store 1.5`)).toBe(true);
  });
});
