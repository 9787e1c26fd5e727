// readNiftiSync / readNiftiRawSync with a scratch (re-used file bytes and inflate output), and
// the direct inflate they use (gunzip.ts inflateInto): same results and errors as without.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { columnMajorToRowMajor } from "@deepreg-loader/volume-ops";
import { encodeNifti } from "./encode-nifti.js";
import { inflateInto, inflateIntoAsync } from "./gunzip.js";
import { createNiftiReadScratch, readNifti, readNiftiRaw, readNiftiRawSync, readNiftiSync } from "./read-nifti.js";
import { caught, tempDir, volumeOf } from "./test-helpers.js";

const small = volumeOf([5, 4, 3], (n) => (n * 7) % 23);
const large = volumeOf([40, 30, 20, 2], (n) => (n * 13) % 251);
const smallBytes = encodeNifti(small, { dtype: "uint8" });
const largeBytes = encodeNifti(large, { dtype: "int16" });

let dir = "";
let remove = async (): Promise<void> => {};
const at = (name: string): string => join(dir, name);

/** Every file: name and bytes (plain, gzip, and the odd gzip streams the reader must handle). */
const FILES: [string, Uint8Array][] = [
  ["small.nii", smallBytes],
  ["small.nii.gz", gzipSync(smallBytes)],
  ["large.nii.gz", gzipSync(largeBytes)],
  ["large-level1.nii.gz", gzipSync(largeBytes, { level: 1 })],
  // trailing zeros (padding) and trailing garbage after a whole stream: ignored, as nibabel does
  ["padded.nii.gz", Buffer.concat([gzipSync(smallBytes), Buffer.alloc(100)])],
  ["garbage.nii.gz", Buffer.concat([gzipSync(smallBytes), Buffer.from("not gzip at all, trailing bytes")])],
  // two gzip members: the voxels are in the first
  ["members.nii.gz", Buffer.concat([gzipSync(smallBytes), gzipSync(Buffer.from("second member"))])],
  // cut inside the voxels, and a corrupt stream
  ["cut.nii.gz", gzipSync(largeBytes).subarray(0, gzipSync(largeBytes).length >> 1)],
  ["corrupt.nii.gz", Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0])],
];

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await Promise.all(FILES.map(([name, bytes]) => writeFile(at(name), bytes)));
});

afterAll(() => remove());

type Raw = { values: ArrayLike<number>; shape: number[] } | { data: Float32Array; shape: number[] };

/** A read's outcome as plain data: its voxels reordered, or its error's code and message. */
async function outcome(read: () => Raw | Promise<Raw>) {
  try {
    const r = await read();
    const data = "values" in r ? columnMajorToRowMajor(r.values, r.shape) : r.data;
    return { shape: r.shape, data: Array.from(data) };
  } catch {
    const error = await caught(read);
    return { code: error.code, message: error.message };
  }
}

describe("reads with a scratch", () => {
  /** Each pair of readers (raw voxels, decoded volume), sync and async: what a scratch must not change. */
  const READERS = [
    ["readNiftiRawSync / readNiftiSync", readNiftiRawSync, readNiftiSync],
    ["readNiftiRaw / readNifti (async)", readNiftiRaw, readNifti],
  ] as const;
  test.each(READERS)("%s(path, { scratch }) give what they give without, file after file, one scratch", async (_, raw, decoded) => {
    const scratch = createNiftiReadScratch();
    // Twice through every file (big after small and small after big), channels too.
    for (const [name] of [...FILES, ...FILES.slice().reverse()]) {
      const path = at(name);
      expect(await outcome(() => raw(path, { scratch }))).toEqual(await outcome(() => raw(path)));
      expect(await outcome(() => decoded(path, { scratch }))).toEqual(await outcome(() => decoded(path)));
    }
    expect(await outcome(() => raw(at("large.nii.gz"), { scratch, channel: 1 }))).toEqual(await outcome(() => raw(at("large.nii.gz"), { channel: 1 })));
    expect(await outcome(() => raw(at("cut.nii.gz"), { scratch }))).toMatchObject({ code: "TRUNCATED" });
    expect(await outcome(() => raw(at("corrupt.nii.gz"), { scratch }))).toMatchObject({ code: "READ_FAILED" });
  });

  test("readNiftiRaw(path, { scratch }) (async) re-uses it: the raw voxels view scratch.inflated, file bytes go to scratch.input", async () => {
    const scratch = createNiftiReadScratch();
    const first = await readNiftiRaw(at("large-level1.nii.gz"), { scratch });
    const inflated = scratch.inflated!;
    const input = scratch.input!;
    expect((first.values as Int16Array).buffer).toBe(inflated.buffer);
    const second = await readNiftiRaw(at("large.nii.gz"), { scratch });
    expect(scratch.inflated).toBe(inflated);
    expect(scratch.input).toBe(input);
    expect((second.values as Int16Array).buffer).toBe(inflated.buffer);
    expect(Array.from(columnMajorToRowMajor(second.values, second.shape))).toEqual(Array.from(large.data));
  });

  test("the scratch is re-used: a .nii.gz's raw voxels view scratch.inflated, whose buffer the next read keeps", () => {
    const scratch = createNiftiReadScratch();
    // The bigger file first: the second fits the buffers the first grew.
    const first = readNiftiRawSync(at("large-level1.nii.gz"), { scratch });
    const inflated = scratch.inflated!;
    const input = scratch.input!;
    expect((first.values as Int16Array).buffer).toBe(inflated.buffer);
    const second = readNiftiRawSync(at("large.nii.gz"), { scratch });
    expect(scratch.inflated).toBe(inflated);
    expect(scratch.input).toBe(input);
    expect((second.values as Int16Array).buffer).toBe(inflated.buffer);
    expect(Array.from(columnMajorToRowMajor(second.values, second.shape))).toEqual(Array.from(large.data));
  });
});

describe("inflateIntoAsync", () => {
  test("inflateIntoAsync(gzip, out) writes the whole stream into out and resolves to its length (the fast path is available on this Node)", async () => {
    const out = new Uint8Array(largeBytes.length + 10);
    expect(await inflateIntoAsync(gzipSync(largeBytes), out)).toBe(largeBytes.length);
    expect(Buffer.from(out.subarray(0, largeBytes.length)).equals(Buffer.from(largeBytes))).toBe(true);
  });

  test("inflateIntoAsync is undefined when out is too small or exactly full, and for cut, corrupt or garbage-trailed streams", async () => {
    const gz = gzipSync(largeBytes);
    expect(await inflateIntoAsync(gz, new Uint8Array(largeBytes.length - 1))).toBeUndefined();
    expect(await inflateIntoAsync(gz, new Uint8Array(largeBytes.length))).toBeUndefined();
    expect(await inflateIntoAsync(gz.subarray(0, gz.length >> 1), new Uint8Array(largeBytes.length + 1))).toBeUndefined();
    expect(await inflateIntoAsync(FILES[8]![1], new Uint8Array(1000))).toBeUndefined();
    expect(await inflateIntoAsync(FILES[5]![1], new Uint8Array(smallBytes.length + 1))).toBeUndefined();
  });
});

describe("inflateInto", () => {
  test("inflateInto(gzip, out) writes the whole stream into out and returns its length", () => {
    const out = new Uint8Array(largeBytes.length + 10);
    expect(inflateInto(gzipSync(largeBytes), out)).toBe(largeBytes.length);
    expect(Buffer.from(out.subarray(0, largeBytes.length)).equals(Buffer.from(largeBytes))).toBe(true);
  });

  test("inflateInto is undefined when out is too small or exactly full, and for cut, corrupt or garbage-trailed streams", () => {
    const gz = gzipSync(largeBytes);
    expect(inflateInto(gz, new Uint8Array(largeBytes.length - 1))).toBeUndefined();
    expect(inflateInto(gz, new Uint8Array(largeBytes.length))).toBeUndefined();
    expect(inflateInto(gz.subarray(0, gz.length >> 1), new Uint8Array(largeBytes.length + 1))).toBeUndefined();
    expect(inflateInto(FILES[8]![1], new Uint8Array(1000))).toBeUndefined();
    expect(inflateInto(FILES[5]![1], new Uint8Array(smallBytes.length + 1))).toBeUndefined();
  });

  test("inflateInto's fast path is available on this Node (else every read silently takes the slower plain path)", () => {
    expect(inflateInto(gzipSync(smallBytes), new Uint8Array(smallBytes.length + 1))).toBe(smallBytes.length);
  });
});
