// One channel of a 4D `.nii.gz` inflated alone (gunzip.ts inflateRangeInto): the same voxels as
// a whole read's channel, for every reader, dtype, byte order and a scratch; nothing after the
// channel is inflated, so a stream cut after it still gives it.
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { columnMajorToRowMajor, takeChannel } from "@deepreg-loader/volume-ops";
import { createVolume } from "@deepreg-loader/core";
import { decodeNifti } from "./decode-nifti.js";
import { encodeNifti } from "./encode-nifti.js";
import { inflateRangeInto } from "./gunzip.js";
import { createNiftiReadScratch, readNifti, readNiftiRaw, readNiftiRawSync, readNiftiSync } from "./read-nifti.js";
import { caught, volumeOf } from "./test-helpers.js";

const SHAPE = [7, 5, 4, 3];
const label = volumeOf(SHAPE, (n) => (n * 7) % 23);
const whole = (bytes: Uint8Array, channel: number): number[] =>
  Array.from(takeChannel(createVolume(decodeNifti(bytes).data, SHAPE), channel).data);

describe("channel reads of a .nii.gz", () => {
  test.each([
    ["uint8", true, 1],
    ["int16", false, 2],
    ["float32", true, 2],
    ["float64", false, 2],
  ] as const)("readNifti / readNiftiSync / readNiftiRaw(Sync)([7,5,4,3] %s, littleEndian %s, NIfTI-%i, { channel }) = channel of the whole read", async (dtype, littleEndian, version) => {
    const nii = encodeNifti(label, { dtype, littleEndian, version });
    const gz = gzipSync(nii);
    const scratch = createNiftiReadScratch();
    for (const channel of [0, 1, 2]) {
      const expected = whole(nii, channel);
      expect(Array.from((await readNifti(gz, { channel })).data)).toEqual(expected);
      expect(Array.from(readNiftiSync(gz, { channel, scratch }).data)).toEqual(expected);
      for (const raw of [await readNiftiRaw(gz, { channel }), readNiftiRawSync(gz, { channel }), readNiftiRawSync(gz, { channel, scratch })]) {
        expect(raw.shape).toEqual([7, 5, 4]);
        expect(Array.from(columnMajorToRowMajor(raw.values, raw.shape))).toEqual(expected);
      }
    }
  });

  test("readNiftiRaw(Sync)(a stream cut inside channel 2, { channel: 0 | 1 }) give the channel; { channel: 2 } and a whole read throw TRUNCATED", async () => {
    const nii = encodeNifti(label, { dtype: "int16" });
    const gz = gzipSync(nii, { level: 0 });
    // Stored blocks: the compressed bytes follow the inflated ones, so this cut falls in channel 2.
    const cut = gz.subarray(0, gz.length - 100);
    for (const channel of [0, 1]) {
      const expected = whole(nii, channel);
      for (const raw of [await readNiftiRaw(cut, { channel }), readNiftiRawSync(cut, { channel })]) {
        expect(Array.from(columnMajorToRowMajor(raw.values, raw.shape))).toEqual(expected);
      }
    }
    expect((await caught(() => readNiftiRaw(cut, { channel: 2, file: "l.nii.gz" }))).code).toBe("TRUNCATED");
    expect((await caught(() => readNiftiRawSync(cut, { channel: 2 }))).code).toBe("TRUNCATED");
    expect((await caught(() => readNiftiRaw(cut))).code).toBe("TRUNCATED");
  });

  test("readNiftiRawSync(.nii.gz, { channel, scratch }) keeps only the header and the channel: values view scratch.inflated", () => {
    const gz = gzipSync(encodeNifti(label, { dtype: "int16" }));
    const scratch = createNiftiReadScratch();
    const raw = readNiftiRawSync(gz, { channel: 2, scratch });
    expect((raw.values as Int16Array).buffer).toBe(scratch.inflated!.buffer);
    // 352 bytes of header + one channel of 7*5*4 int16, not the 3 channels.
    expect(scratch.inflated!.length).toBe(352 + 7 * 5 * 4 * 2);
  });
});

describe("inflateRangeInto", () => {
  const bytes = Uint8Array.from({ length: 300_000 }, (_, n) => (n * 31) % 251);
  const gz = gzipSync(bytes);

  test("inflateRangeInto(gzip, out, skip, length): the first bytes, then `length` bytes after `skip` more (the fast path is available on this Node)", () => {
    const out = new Uint8Array(10 + 70_000);
    expect(inflateRangeInto(gz, out, 200_000, 70_000)).toBe(true);
    expect(Array.from(out.subarray(0, 10))).toEqual(Array.from(bytes.subarray(0, 10)));
    expect(Buffer.from(out.subarray(10)).equals(Buffer.from(bytes.subarray(200_010, 270_010)))).toBe(true);
  });

  test("inflateRangeInto is undefined when the stream ends before the range does, or is corrupt", () => {
    expect(inflateRangeInto(gz, new Uint8Array(10 + 100_000), 200_000, 100_000)).toBeUndefined();
    expect(inflateRangeInto(gz.subarray(0, gz.length >> 1), new Uint8Array(10 + 1000), 280_000, 1000)).toBeUndefined();
    const corrupt = gz.slice();
    corrupt.fill(0xff, 20, 60);
    expect(inflateRangeInto(corrupt, new Uint8Array(10 + 1000), 280_000, 1000)).toBeUndefined();
  });
});
