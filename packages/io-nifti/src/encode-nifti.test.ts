import { describe, expect, test } from "vitest";
import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { VolumeData } from "@deepreg-loader/core";
import { decodeNifti } from "./decode-nifti.js";
import { encodeNifti } from "./encode-nifti.js";
import { decodeNiftiHeader } from "./nifti-header.js";
import { volumeOf } from "./test-helpers.js";

const small = volumeOf([5, 4, 3], (n) => n);

function errorOf(fn: () => unknown): DeepRegLoaderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeepRegLoaderError);
    return error as DeepRegLoaderError;
  }
  throw new Error("expected an error");
}

describe("encodeNifti", () => {
  test("encodeNifti([5,4,3] float32) layout: sizeof_hdr 348, vox_offset 352, n+1, x fastest", () => {
    const bytes = encodeNifti(volumeOf([5, 4, 3], (n) => n));
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(352 + 60 * 4);
    expect(view.getInt32(0, true)).toBe(348);
    expect([0, 1, 2, 3, 4].map((i) => view.getInt16(40 + 2 * i, true))).toEqual([3, 5, 4, 3, 1]);
    expect(view.getInt16(70, true)).toBe(16);
    expect(view.getInt16(72, true)).toBe(32);
    expect(view.getFloat32(108, true)).toBe(352);
    expect(Array.from(bytes.subarray(344, 352))).toEqual([0x6e, 0x2b, 0x31, 0, 0, 0, 0, 0]);
    // row-major value n at [i,j,k] = 12i + 3j + k; on disk x fastest: [1,0,0] (=12) comes second.
    expect([0, 1, 2, 5].map((i) => view.getFloat32(352 + 4 * i, true))).toEqual([0, 12, 24, 3]);
  });

  test("encodeNifti(NIfTI-2) magic and vox_offset 544", () => {
    const bytes = encodeNifti(small, { version: 2 });
    expect(Array.from(bytes.subarray(4, 12))).toEqual([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(new DataView(bytes.buffer).getBigInt64(168, true)).toBe(544n);
  });

  test("encodeNifti(sheared affine) keeps it in the sform, qform_code 0", () => {
    const sheared = [
      [1, 0.5, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ];
    const h = decodeNiftiHeader(encodeNifti(small, { affine: sheared }));
    expect(h.sformCode).toBe(2);
    expect(h.qformCode).toBe(0);
    expect(h.affine).toEqual(sheared);
  });

  test("encodeNifti(affine with float64 values) stores float32 in NIfTI-1, float64 in NIfTI-2", () => {
    const affine = [
      [0.1, 0, 0, 1 / 3],
      [0, 0.2, 0, 0],
      [0, 0, 0.3, 0],
      [0, 0, 0, 1],
    ];
    const v1 = decodeNiftiHeader(encodeNifti(small, { affine })).affine;
    expect(v1[0]).toEqual([Math.fround(0.1), 0, 0, Math.fround(1 / 3)]);
    expect(decodeNiftiHeader(encodeNifti(small, { affine, version: 2 })).affine).toEqual(affine);
  });

  test("encodeNifti(ndarray volume) equals encodeNifti(VolumeData)", () => {
    const nd = createVolume(small.data, small.shape);
    expect(encodeNifti(nd)).toEqual(encodeNifti(small));
  });

  test("encodeNifti([2,3] 2D, [5,4,3,2,1,1,2] 7D) round-trips", () => {
    for (const shape of [[2, 3], [5, 4, 3, 2, 1, 1, 2]]) {
      const v = volumeOf(shape, (n) => n);
      expect(decodeNifti(encodeNifti(v)).data).toEqual(v.data);
    }
  });
});

describe("encodeNifti errors", () => {
  test.each([
    ["3.5 as int16", volumeOf([1, 1, 2], (n) => n + 2.5), { dtype: "int16" }, "INVALID_ARGUMENT"],
    ["40000 as int16", volumeOf([1, 1, 2], () => 40000), { dtype: "int16" }, "INVALID_ARGUMENT"],
    ["-1 as uint8", volumeOf([1, 1, 2], () => -1), { dtype: "uint8" }, "INVALID_ARGUMENT"],
    ["NaN as int32", volumeOf([1, 1, 2], () => Number.NaN), { dtype: "int32" }, "INVALID_ARGUMENT"],
    ["2^63 as int64", volumeOf([1, 1, 2], () => 2 ** 63), { dtype: "int64" }, "INVALID_ARGUMENT"],
    ["dtype complex64", small, { dtype: "complex64" }, "INVALID_ARGUMENT"],
    ["3x4 affine", small, { affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] }, "INVALID_ARGUMENT"],
    ["8 axes", volumeOf([1, 1, 1, 1, 1, 1, 1, 2], () => 0), {}, "INVALID_ARGUMENT"],
    ["axis 40000 in NIfTI-1", volumeOf([40000], () => 0), {}, "INVALID_ARGUMENT"],
    ["pixdim -1", small, { pixdim: [-1, 1, 1] }, "INVALID_ARGUMENT"],
    ["59 values for [5,4,3]", { data: new Float32Array(59), shape: [5, 4, 3] }, {}, "SHAPE"],
  ] as const)("encodeNifti(%s) throws", (_, volume, options, code) => {
    expect(errorOf(() => encodeNifti(volume as VolumeData, options as never)).code).toBe(code);
  });

  test("encodeNifti(transposed ndarray) throws INVALID_ARGUMENT", () => {
    const nd = createVolume(new Float32Array(60), [5, 4, 3]).transpose(2, 1, 0);
    expect(errorOf(() => encodeNifti(nd)).code).toBe("INVALID_ARGUMENT");
  });

  test("encodeNifti(3.5 as int16) message says value and range", () => {
    expect(() => encodeNifti(volumeOf([1, 1, 1], () => 3.5), { dtype: "int16" })).toThrow(
      "encodeNifti: cannot store 3.5 (value 0 in NIfTI order) as int16; expected integers in [-32768, 32767]",
    );
  });

  test("encodeNifti(volume with 2^40 written as uint64) round-trips", () => {
    const v = volumeOf([1, 1, 2], (n) => 2 ** 40 + n);
    expect(decodeNifti(encodeNifti(v, { dtype: "uint64" })).data).toEqual(v.data);
  });
});
