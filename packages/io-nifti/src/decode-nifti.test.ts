import { describe, expect, test } from "vitest";
import { bigintToFloat32, DTYPES } from "@deepreg-loader/core";
import type { DType } from "@deepreg-loader/core";
import { decodeNifti } from "./decode-nifti.js";
import { encodeNifti } from "./encode-nifti.js";
import { codeOf, columnMajorIndex, indices, patched, rowMajorIndex, volumeOf } from "./test-helpers.js";

const f = Math.fround;
const SHAPE = [5, 4, 3];

/** Values each dtype holds exactly, spanning its range (as float32 numbers). */
const VALUES: Record<DType, (n: number) => number> = {
  uint8: (n) => (n * 37) % 256,
  int8: (n) => ((n * 37) % 256) - 128,
  uint16: (n) => n * 1093,
  int16: (n) => n * 1093 - 32768,
  uint32: (n) => f(n * 71582788),
  int32: (n) => f(n * 71582788 - 2 ** 31),
  uint64: (n) => f(n * 2 ** 58),
  int64: (n) => f((n - 30) * 2 ** 57),
  float32: (n) => f((n - 30) * 0.37),
  float64: (n) => f((n - 30) * 1e-30),
};

describe("decodeNifti", () => {
  const cases = DTYPES.flatMap((dtype) => [true, false].map((littleEndian) => [dtype, littleEndian] as const));
  test.each(cases)("decodeNifti(encodeNifti([5,4,3] %s, littleEndian %s))", (dtype, littleEndian) => {
    const volume = volumeOf(SHAPE, VALUES[dtype]);
    const decoded = decodeNifti(encodeNifti(volume, { dtype, littleEndian }));
    expect(decoded.shape).toEqual(SHAPE);
    expect(decoded.data).toEqual(volume.data);
  });

  test("decodeNifti([5,4,3] float32) puts file value i + 5*(j + 4*k) at vol.get(i, j, k)", () => {
    const bytes = encodeNifti(volumeOf(SHAPE, (n) => n));
    // Overwrite the voxels in NIfTI order with 1000*i + 100*j + k.
    const view = new DataView(bytes.buffer);
    for (const [i, j, k] of indices(SHAPE)) {
      view.setFloat32(352 + 4 * columnMajorIndex(SHAPE, [i!, j!, k!]), 1000 * i! + 100 * j! + k!, true);
    }
    const vol = decodeNifti(bytes);
    for (const [i, j, k] of indices(SHAPE)) expect(vol.get(i!, j!, k!)).toBe(1000 * i! + 100 * j! + k!);
    expect(Array.from(vol.data.subarray(0, 4))).toEqual([0, 1, 2, 100]);
  });

  test("decodeNifti([5,4,3,2] uint8 label) is channel-last, row-major", () => {
    const shape = [5, 4, 3, 2];
    const volume = volumeOf(shape, (n) => n % 2);
    const vol = decodeNifti(encodeNifti(volume, { dtype: "uint8" }));
    expect(vol.shape).toEqual(shape);
    for (const idx of indices(shape)) expect(vol.get(...idx)).toBe(volume.data[rowMajorIndex(shape, idx)]);
  });

  test("decodeNifti([1,7] and [2,1,3,1,2] float32) keeps every axis, trailing 1s included", () => {
    for (const shape of [[1, 7], [2, 1, 3, 1, 2], [5, 4, 3, 1]]) {
      const volume = volumeOf(shape, (n) => n * 1.5);
      const vol = decodeNifti(encodeNifti(volume));
      expect(vol.shape).toEqual(shape);
      expect(vol.data).toEqual(volume.data);
    }
  });

  test.each([
    [1, true],
    [2, false],
  ] as const)("decodeNifti(NIfTI-%s, littleEndian %s, [5,4,3,2] int16)", (version, littleEndian) => {
    const volume = volumeOf([5, 4, 3, 2], (n) => VALUES.int16(n % 60));
    const vol = decodeNifti(encodeNifti(volume, { version, littleEndian, dtype: "int16" }));
    expect(vol.shape).toEqual([5, 4, 3, 2]);
    expect(vol.data).toEqual(volume.data);
  });

  test("decodeNifti(header extension, vox_offset 384)", () => {
    const plain = encodeNifti(volumeOf(SHAPE, (n) => n - 7), { dtype: "int16" });
    const extension = new Uint8Array(32);
    const ev = new DataView(extension.buffer);
    ev.setInt32(0, 32, true); // esize
    ev.setInt32(4, 6, true); // ecode: comment
    extension.set(new TextEncoder().encode("hello extension"), 8);
    const bytes = new Uint8Array(plain.length + 32);
    bytes.set(plain.subarray(0, 352));
    bytes.set(extension, 352);
    bytes.set(plain.subarray(352), 384);
    const view = new DataView(bytes.buffer);
    view.setUint8(348, 1); // extension flag
    view.setFloat32(108, 384, true);
    const vol = decodeNifti(bytes);
    expect(Array.from(vol.data)).toEqual(Array.from({ length: 60 }, (_, n) => n - 7));
  });

  test("decodeNifti(Node Buffer, big-endian int32) swaps a copy, leaves the input untouched", () => {
    const volume = volumeOf(SHAPE, VALUES.int32);
    const bytes = Buffer.from(encodeNifti(volume, { dtype: "int32", littleEndian: false }));
    const before = Buffer.from(bytes);
    expect(decodeNifti(bytes).data).toEqual(volume.data);
    expect(bytes.equals(before)).toBe(true);
  });

  test("decodeNifti(unaligned bytes view) copies before viewing", () => {
    const plain = encodeNifti(volumeOf(SHAPE, VALUES.float64), { dtype: "float64" });
    const shifted = new Uint8Array(plain.length + 3);
    shifted.set(plain, 3);
    expect(decodeNifti(shifted.subarray(3)).data).toEqual(volumeOf(SHAPE, VALUES.float64).data);
  });
});

describe("decodeNifti scaling", () => {
  const int16 = encodeNifti(volumeOf(SHAPE, (n) => n - 30), { dtype: "int16" });
  const scale = (slope: number, inter: number, bytes = int16): Uint8Array =>
    patched(bytes, (v) => {
      v.setFloat32(112, slope, true);
      v.setFloat32(116, inter, true);
    });

  test("decodeNifti(int16, scl_slope 2, scl_inter -1) = v * 2 - 1", () => {
    expect(Array.from(decodeNifti(scale(2, -1)).data)).toEqual(Array.from({ length: 60 }, (_, n) => (n - 30) * 2 - 1));
  });

  test("decodeNifti(int16, scl_slope 0.1, scl_inter 0.2) computes in float64, rounds once", () => {
    const [a, b] = [f(0.1), f(0.2)];
    expect(Array.from(decodeNifti(scale(0.1, 0.2)).data)).toEqual(Array.from({ length: 60 }, (_, n) => f((n - 30) * a + b)));
  });

  test.each([
    ["0", 0],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
  ])("decodeNifti(int16, scl_slope %s, scl_inter 5) does not scale", (_, slope) => {
    expect(Array.from(decodeNifti(scale(slope, 5)).data)).toEqual(Array.from({ length: 60 }, (_, n) => n - 30));
  });

  test("decodeNifti(NIfTI-2 big-endian float32, scl_slope 0.5, scl_inter 0.25)", () => {
    const bytes = patched(encodeNifti(volumeOf(SHAPE, (n) => n), { version: 2, littleEndian: false }), (v) => {
      v.setFloat64(176, 0.5, false);
      v.setFloat64(184, 0.25, false);
    });
    expect(Array.from(decodeNifti(bytes).data)).toEqual(Array.from({ length: 60 }, (_, n) => n * 0.5 + 0.25));
  });
});

describe("decodeNifti integer rounding to float32 (as numpy's astype)", () => {
  test("decodeNifti(int32 16777217, uint32 4294967295) round to the nearest float32", () => {
    const one = volumeOf([1, 1, 2], () => 0);
    const int32 = patched(encodeNifti(one, { dtype: "int32" }), (v) => {
      v.setInt32(352, 16777217, true);
      v.setInt32(356, -16777219, true);
    });
    expect(Array.from(decodeNifti(int32).data)).toEqual([16777216, -16777220]);
    const uint32 = patched(encodeNifti(one, { dtype: "uint32" }), (v) => v.setUint32(352, 4294967295, true));
    expect(Array.from(decodeNifti(uint32).data)).toEqual([4294967296, 0]);
  });

  test("decodeNifti(int64 2^60 + 2^36 + 1) rounds once (up), not via float64 (down)", () => {
    const v = 2n ** 60n + 2n ** 36n + 1n;
    const bytes = patched(encodeNifti(volumeOf([1, 1, 2], () => 0), { dtype: "int64" }), (view) => {
      view.setBigInt64(352, v, true);
      view.setBigInt64(360, -v, true);
    });
    expect(Array.from(decodeNifti(bytes).data)).toEqual([2 ** 60 + 2 ** 37, -(2 ** 60 + 2 ** 37)]);
  });

  test("bigintToFloat32(...)", () => {
    expect(bigintToFloat32(0n)).toBe(0);
    expect(bigintToFloat32(16777217n)).toBe(16777216);
    expect(bigintToFloat32(2n ** 60n + 2n ** 36n)).toBe(2 ** 60); // tie -> even
    expect(bigintToFloat32(2n ** 60n + 3n * 2n ** 36n)).toBe(2 ** 60 + 2 ** 38); // tie -> even (up)
    expect(bigintToFloat32(2n ** 64n - 1n)).toBe(2 ** 64);
    expect(bigintToFloat32(-(2n ** 63n))).toBe(-(2 ** 63));
  });
});

describe("decodeNifti errors", () => {
  const good = encodeNifti(volumeOf(SHAPE, (n) => n));

  test("decodeNifti(voxels cut short) throws TRUNCATED naming the sizes", () => {
    expect(codeOf(() => decodeNifti(good.subarray(0, good.length - 1)))).toBe("TRUNCATED");
    expect(() => decodeNifti(good.subarray(0, 400), { file: "cut.nii" })).toThrow(
      "cut.nii: header declares float32 shape [5, 4, 3] at offset 352 (592 bytes), found 400 bytes",
    );
  });

  test("decodeNifti(header dims [32767,32767,32767]) throws TOO_LARGE before allocating", () => {
    const huge = patched(good, (v) => [42, 44, 46].forEach((o) => v.setInt16(o, 32767, true)));
    expect(codeOf(() => decodeNifti(huge))).toBe("TOO_LARGE");
    expect(() => decodeNifti(huge, { file: "big.nii" })).toThrow(/^big\.nii: header declares shape \[32767, 32767, 32767\]/);
  });

  test("decodeNifti(NIfTI-2 dims [2^40, 2^40, 1]) throws TOO_LARGE", () => {
    const huge = patched(encodeNifti(volumeOf(SHAPE, (n) => n), { version: 2 }), (v) => {
      v.setBigInt64(24, 2n ** 40n, true);
      v.setBigInt64(32, 2n ** 40n, true);
    });
    expect(codeOf(() => decodeNifti(huge))).toBe("TOO_LARGE");
  });

  test("decodeNifti(60 voxels, { maxBytes: 239 }) throws TOO_LARGE; maxBytes 240 reads", () => {
    expect(codeOf(() => decodeNifti(good, { maxBytes: 239 }))).toBe("TOO_LARGE");
    expect(decodeNifti(good, { maxBytes: 240 }).shape).toEqual(SHAPE);
  });
});

describe("decodeNifti(bytes, { channel })", () => {
  const LABEL = [5, 4, 3, 2];
  const channelOf = (v: { data: Float32Array }, c: number): number[] =>
    Array.from(v.data).filter((_, n) => n % 2 === c);
  /** 120 values from the 60 each dtype holds: channel 0 ascending, channel 1 descending. */
  const labelValues = (dtype: DType) => (n: number) => VALUES[dtype](n % 2 === 0 ? n / 2 : 59 - (n - 1) / 2);

  test.each(DTYPES.flatMap((dtype) => [true, false].map((littleEndian) => [dtype, littleEndian] as const)))(
    "decodeNifti([5,4,3,2] %s, littleEndian %s, { channel: 0 | 1 }) = [..., channel] as [5,4,3]",
    (dtype, littleEndian) => {
      const volume = volumeOf(LABEL, labelValues(dtype));
      const bytes = encodeNifti(volume, { dtype, littleEndian });
      for (const channel of [0, 1]) {
        const decoded = decodeNifti(bytes, { channel });
        expect(decoded.shape).toEqual([5, 4, 3]);
        expect(Array.from(decoded.data)).toEqual(channelOf(volume, channel));
      }
    },
  );

  test("decodeNifti([5,4,3,2] int16, scl_slope 2, scl_inter -1, { channel: 1 }) scales the channel", () => {
    const volume = volumeOf(LABEL, (n) => n - 60);
    const bytes = patched(encodeNifti(volume, { dtype: "int16" }), (v) => {
      v.setFloat32(112, 2, true);
      v.setFloat32(116, -1, true);
    });
    expect(Array.from(decodeNifti(bytes, { channel: 1 }).data)).toEqual(channelOf(volume, 1).map((x) => x * 2 - 1));
  });

  test("decodeNifti([5,4,3] uint8, { channel: 0 }) is the whole 3D volume", () => {
    const volume = volumeOf(SHAPE, VALUES.uint8);
    const decoded = decodeNifti(encodeNifti(volume, { dtype: "uint8" }), { channel: 0 });
    expect(decoded.shape).toEqual(SHAPE);
    expect(decoded.data).toEqual(volume.data);
  });

  test("decodeNifti([5,4,3,2], { channel: 2 | -1 | 0.5 }) throws INVALID_ARGUMENT naming the channel count", () => {
    const bytes = encodeNifti(volumeOf(LABEL, VALUES.uint8), { dtype: "uint8" });
    for (const channel of [2, -1, 0.5]) {
      expect(() => decodeNifti(bytes, { file: "l.nii", channel })).toThrow(
        expect.objectContaining({
          code: "INVALID_ARGUMENT",
          message: `l.nii: channel ${channel} is out of range for shape [5, 4, 3, 2] (2 channels)`,
        }),
      );
    }
  });

  test("decodeNifti([5,4,3] uint8, { channel: 1 }) and ([2,2,2,2,2], { channel: 0 }) throw INVALID_ARGUMENT", () => {
    expect(codeOf(() => decodeNifti(encodeNifti(volumeOf(SHAPE, VALUES.uint8), { dtype: "uint8" }), { channel: 1 }))).toBe(
      "INVALID_ARGUMENT",
    );
    const fiveD = encodeNifti(volumeOf([2, 2, 2, 2, 2], VALUES.uint8), { dtype: "uint8" });
    expect(() => decodeNifti(fiveD, { channel: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("3D or 4D image, found shape [2, 2, 2, 2, 2]") }),
    );
  });

  test("decodeNifti([5,4,3,2] cut in channel 1, { channel: 0 }) still throws TRUNCATED", () => {
    const bytes = encodeNifti(volumeOf(LABEL, VALUES.uint8), { dtype: "uint8" });
    expect(codeOf(() => decodeNifti(bytes.subarray(0, bytes.length - 3), { channel: 0 }))).toBe("TRUNCATED");
  });
});
