import { describe, expect, test } from "vitest";
import { encodeNifti } from "./encode-nifti.js";
import { decodeNiftiHeader } from "./nifti-header.js";
import { codeOf, patched, volumeOf } from "./test-helpers.js";

const f = Math.fround;
const small = volumeOf([5, 4, 3], (n) => n);
const rotated = [
  [0, -2, 0, 10.5],
  [3, 0, 0, -4],
  [0, 0, 4, 7.25],
  [0, 0, 0, 1],
];

describe("decodeNiftiHeader", () => {
  test("decodeNiftiHeader(NIfTI-1 LE [5,4,3] int16 with rotated affine)", () => {
    const h = decodeNiftiHeader(encodeNifti(small, { affine: rotated, dtype: "int16" }));
    expect(h).toMatchObject({
      version: 1,
      littleEndian: true,
      shape: [5, 4, 3],
      dtype: "int16",
      datatypeCode: 4,
      pixdim: [3, 2, 4],
      affineSource: "sform",
      sformCode: 2,
      qformCode: 2,
      sclSlope: 1,
      sclInter: 0,
      voxOffset: 352,
      headerBytes: 348,
      description: "",
    });
    expect(h.affine).toEqual(rotated);
  });

  test("decodeNiftiHeader(NIfTI-2 big-endian [5,4,3,2] float64)", () => {
    const v = volumeOf([5, 4, 3, 2], (n) => n);
    const h = decodeNiftiHeader(
      encodeNifti(v, { version: 2, littleEndian: false, dtype: "float64", pixdim: [0.5, 0.25, 2, 3], description: "ok" }),
    );
    expect(h).toMatchObject({
      version: 2,
      littleEndian: false,
      shape: [5, 4, 3, 2],
      dtype: "float64",
      pixdim: [0.5, 0.25, 2, 3],
      voxOffset: 544,
      headerBytes: 540,
      description: "ok",
    });
    expect(h.affine).toEqual([
      [0.5, 0, 0, 0],
      [0, 0.25, 0, 0],
      [0, 0, 2, 0],
      [0, 0, 0, 1],
    ]);
  });

  test("decodeNiftiHeader(sform_code 0) uses the qform", () => {
    const h = decodeNiftiHeader(encodeNifti(small, { affine: rotated, sformCode: 0, qformCode: 1 }));
    expect(h.affineSource).toBe("qform");
    h.affine.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(rotated[i]![j]!, 6)));
  });

  test("decodeNiftiHeader(sform_code 0, qform_code 0) uses nibabel's base affine", () => {
    const h = decodeNiftiHeader(encodeNifti(small, { pixdim: [2, 3, 4], sformCode: 0, qformCode: 0 }));
    expect(h.affineSource).toBe("base");
    expect(h.affine).toEqual([
      [-2, 0, 0, 4],
      [0, 3, 0, -4.5],
      [0, 0, 4, -4],
      [0, 0, 0, 1],
    ]);
  });

  test("decodeNiftiHeader(pixdim 0 and negative, qfac 0) fixes them as nibabel does", () => {
    const bytes = patched(encodeNifti(small, { pixdim: [2, 3, 4], sformCode: 0 }), (v) => {
      v.setFloat32(76, 0, true); // qfac 0 -> 1
      v.setFloat32(80, 0, true); // pixdim[1] 0 -> 1
      v.setFloat32(84, -3, true); // pixdim[2] -3 -> 3
    });
    const h = decodeNiftiHeader(bytes);
    expect(h.pixdim).toEqual([1, 3, 4]);
    expect(h.affine).toEqual([
      [1, 0, 0, 0],
      [0, 3, 0, 0],
      [0, 0, 4, 0],
      [0, 0, 0, 1],
    ]);
  });

  test("decodeNiftiHeader keeps raw scl_slope / scl_inter and floors vox_offset", () => {
    const bytes = patched(encodeNifti(small), (v) => {
      v.setFloat32(112, Number.NaN, true);
      v.setFloat32(116, 0.1, true);
      v.setFloat32(108, 352.75, true);
    });
    const h = decodeNiftiHeader(bytes);
    expect(h.sclSlope).toBeNaN();
    expect(h.sclInter).toBe(f(0.1));
    expect(h.voxOffset).toBe(352);
  });

  test("decodeNiftiHeader(first 348 bytes only) reads a NIfTI-1 header", () => {
    expect(decodeNiftiHeader(encodeNifti(small).subarray(0, 348)).shape).toEqual([5, 4, 3]);
  });

  test("decodeNiftiHeader(ArrayBuffer)", () => {
    const bytes = encodeNifti(small);
    expect(decodeNiftiHeader(bytes.buffer.slice(0)).shape).toEqual([5, 4, 3]);
  });
});

describe("decodeNiftiHeader errors", () => {
  const good = encodeNifti(small);
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "EMPTY"],
    ["3 bytes", good.subarray(0, 3), "TRUNCATED"],
    ["200 bytes", good.subarray(0, 200), "TRUNCATED"],
    ["gzip magic", Uint8Array.from([0x1f, 0x8b, 8, 0, ...good.subarray(4, 400)]), "NOT_NIFTI"],
    ["sizeof_hdr 1234", patched(good, (v) => v.setInt32(0, 1234, true)), "NOT_NIFTI"],
    ["magic 'abc'", patched(good, (v) => v.setUint32(344, 0x61626300, false)), "NOT_NIFTI"],
    ["pair magic 'ni1'", patched(good, (v) => v.setUint32(344, 0x6e693100, false)), "NOT_NIFTI"],
    ["dim[0] 0", patched(good, (v) => v.setInt16(40, 0, true)), "BAD_HEADER"],
    ["dim[0] 8", patched(good, (v) => v.setInt16(40, 8, true)), "BAD_HEADER"],
    ["dim[2] 0", patched(good, (v) => v.setInt16(44, 0, true)), "BAD_HEADER"],
    ["dim[3] -3", patched(good, (v) => v.setInt16(46, -3, true)), "BAD_HEADER"],
    ["vox_offset 0", patched(good, (v) => v.setFloat32(108, 0, true)), "BAD_HEADER"],
    ["slope 2, inter inf", patched(good, (v) => { v.setFloat32(112, 2, true); v.setFloat32(116, Infinity, true); }), "BAD_HEADER"],
    ["quaternion norm > 1", patched(encodeNifti(small, { sformCode: 0, qformCode: 1 }), (v) => v.setFloat32(256, 1.5, true)), "BAD_HEADER"],
    ["datatype complex64 (32)", patched(good, (v) => v.setInt16(70, 32, true)), "UNSUPPORTED_DTYPE"],
    ["datatype RGB24 (128)", patched(good, (v) => v.setInt16(70, 128, true)), "UNSUPPORTED_DTYPE"],
    ["datatype 7", patched(good, (v) => v.setInt16(70, 7, true)), "UNSUPPORTED_DTYPE"],
  ];
  test.each(cases)("decodeNiftiHeader(%s) throws", (_, bytes, code) => {
    expect(codeOf(() => decodeNiftiHeader(bytes, { file: "x.nii" }))).toBe(code);
  });

  test("decodeNiftiHeader errors name the file and what was found", () => {
    expect(() => decodeNiftiHeader(patched(good, (v) => v.setInt32(0, 1234, true)), { file: "a/b.nii" })).toThrow(
      "a/b.nii: not a NIfTI file: expected sizeof_hdr 348 (NIfTI-1) or 540 (NIfTI-2), found 1234",
    );
    expect(() => decodeNiftiHeader(patched(good, (v) => v.setInt16(70, 32, true)))).toThrow(
      /^<bytes>: datatype complex64 \(32\) is not supported/,
    );
  });
});
