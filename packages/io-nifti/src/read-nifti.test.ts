import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { encodeNifti } from "./encode-nifti.js";
import { columnMajorToRowMajor } from "@deepreg-loader/volume-ops";
import { readNifti, readNiftiHeader, readNiftiRaw, readNiftiRawSync, readNiftiSync } from "./read-nifti.js";
import { caught, patched, tempDir, volumeOf } from "./test-helpers.js";

const SHAPE = [5, 4, 3];
const volume = volumeOf(SHAPE, (n) => (n * 7) % 23);
const plain = encodeNifti(volume, { dtype: "uint8" });
const gzipped = gzipSync(plain);

let dir = "";
let remove = async (): Promise<void> => {};
const at = (name: string): string => join(dir, name);

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  const files: [string, Uint8Array][] = [
    ["plain.nii", plain],
    ["zipped.nii.gz", gzipped],
    ["zipped-named-plain.nii", gzipped],
    ["plain-named-zipped.nii.gz", plain],
    ["empty.nii.gz", new Uint8Array(0)],
    ["text.nii", new TextEncoder().encode("this is not an image, just some text that is long enough")],
    ["cut.nii", plain.subarray(0, plain.length - 10)],
    ["cut-header.nii", plain.subarray(0, 100)],
    ["cut.nii.gz", gzipped.subarray(0, gzipped.length - 12)],
    ["corrupt.nii.gz", Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0])],
    ["huge.nii.gz", gzipSync(patched(plain, (v) => [42, 44, 46].forEach((o) => v.setInt16(o, 30000, true))))],
    ["complex.nii.gz", gzipSync(patched(plain, (v) => v.setInt16(70, 32, true)))],
  ];
  await Promise.all(files.map(([name, bytes]) => writeFile(at(name), bytes)));
});

afterAll(() => remove());

describe("readNifti", () => {
  test.each(["plain.nii", "zipped.nii.gz", "zipped-named-plain.nii", "plain-named-zipped.nii.gz"])(
    "readNifti(%s) sniffs gzip by content",
    async (name) => {
      const vol = await readNifti(at(name));
      expect(vol.shape).toEqual(SHAPE);
      expect(vol.data).toEqual(volume.data);
      expect(readNiftiSync(at(name)).data).toEqual(volume.data);
    },
  );

  test("readNiftiRaw / readNiftiRawSync(.nii.gz [5,4,3,2] uint8, { channel: 1 }) give the stored uint8 voxels that reorder to readNifti's volume", async () => {
    const label = volumeOf([5, 4, 3, 2], (n) => (n * 7) % 23);
    const bytes = gzipSync(encodeNifti(label, { dtype: "uint8" }));
    for (const raw of [await readNiftiRaw(bytes, { channel: 1 }), readNiftiRawSync(bytes, { channel: 1 })]) {
      expect(raw.values).toBeInstanceOf(Uint8Array);
      expect(raw.shape).toEqual([5, 4, 3]);
      expect(raw.scale).toBeUndefined();
      expect(Array.from(columnMajorToRowMajor(raw.values, raw.shape))).toEqual(Array.from((await readNifti(bytes, { channel: 1 })).data));
    }
    const raw = await readNiftiRaw(at("zipped.nii.gz"));
    expect(Array.from(columnMajorToRowMajor(raw.values, raw.shape))).toEqual(Array.from(volume.data));
    await expect(readNiftiRaw(at("cut.nii.gz"))).rejects.toMatchObject({ code: "TRUNCATED" });
  });

  test("readNifti(Uint8Array | ArrayBuffer | pooled Buffer) of .nii and .nii.gz", async () => {
    const pooled = readFileSync(at("zipped.nii.gz")); // small: a view into Node's shared pool
    const inputs = [plain, gzipped, plain.buffer.slice(0), new Uint8Array(gzipped).buffer, pooled];
    for (const input of inputs) {
      expect((await readNifti(input)).data).toEqual(volume.data);
      expect(readNiftiSync(input).data).toEqual(volume.data);
    }
  });

  test("readNifti(.nii.gz [5,4,3,2] uint8, { channel: 1 }) and readNiftiSync read channel 1 as [5,4,3]", async () => {
    const label = volumeOf([5, 4, 3, 2], (n) => (n * 7) % 23);
    const bytes = gzipSync(encodeNifti(label, { dtype: "uint8" }));
    const expected = Array.from(label.data).filter((_, n) => n % 2 === 1);
    const vol = await readNifti(bytes, { channel: 1 });
    expect(vol.shape).toEqual([5, 4, 3]);
    expect(Array.from(vol.data)).toEqual(expected);
    expect(Array.from(readNiftiSync(bytes, { channel: 1 }).data)).toEqual(expected);
    await expect(readNifti(bytes, { file: "l.nii.gz", channel: 2 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      file: "l.nii.gz",
    });
  });

  test("readNifti(big-endian NIfTI-2 int16 .nii.gz)", async () => {
    const v = volumeOf([5, 4, 3, 2], (n) => n * 100 - 6000);
    const bytes = gzipSync(encodeNifti(v, { version: 2, littleEndian: false, dtype: "int16" }));
    expect((await readNifti(bytes)).data).toEqual(v.data);
  });
});

describe("readNiftiHeader", () => {
  test("readNiftiHeader(.nii.gz) reads only the header: works on a truncated file", async () => {
    const h = await readNiftiHeader(at("cut.nii.gz"));
    expect(h).toMatchObject({ version: 1, shape: SHAPE, dtype: "uint8", voxOffset: 352 });
    expect((await caught(() => readNifti(at("cut.nii.gz")))).code).toBe("TRUNCATED");
  });

  test("readNiftiHeader(.nii.gz claiming 30000^3 voxels) reads the header; readNifti throws TOO_LARGE", async () => {
    expect((await readNiftiHeader(at("huge.nii.gz"))).shape).toEqual([30000, 30000, 30000]);
    expect((await caught(() => readNifti(at("huge.nii.gz")))).code).toBe("TOO_LARGE");
  });

  test.each(["plain.nii", "zipped.nii.gz", "zipped-named-plain.nii", "plain-named-zipped.nii.gz", "cut.nii"])(
    "readNiftiHeader(%s)",
    async (name) => {
      expect((await readNiftiHeader(at(name))).shape).toEqual(SHAPE);
    },
  );

  test("readNiftiHeader(bytes of .nii and .nii.gz)", async () => {
    expect((await readNiftiHeader(gzipped)).shape).toEqual(SHAPE);
    expect((await readNiftiHeader(plain.buffer.slice(0))).shape).toEqual(SHAPE);
  });

  test("readNiftiHeader(.nii.gz whose header needs more than the first 540 compressed bytes)", async () => {
    // Level-0 gzip stores bytes uncompressed after a 10-byte header and 5-byte block header.
    const stored = gzipSync(encodeNifti(volume, { version: 2, description: "x".repeat(79) }), { level: 0 });
    expect((await readNiftiHeader(stored)).description).toBe("x".repeat(79));
  });
});

describe("readNifti errors", () => {
  const cases: [string, string][] = [
    ["missing.nii.gz", "NOT_FOUND"],
    ["empty.nii.gz", "EMPTY"],
    ["text.nii", "NOT_NIFTI"],
    ["cut.nii", "TRUNCATED"],
    ["cut-header.nii", "TRUNCATED"],
    ["cut.nii.gz", "TRUNCATED"],
    ["corrupt.nii.gz", "READ_FAILED"],
    ["huge.nii.gz", "TOO_LARGE"],
    ["complex.nii.gz", "UNSUPPORTED_DTYPE"],
  ];
  test.each(cases)("readNifti(%s) throws %s naming the file", async (name, code) => {
    for (const read of [readNifti, readNiftiSync]) {
      const error = await caught(() => read(at(name)));
      expect(error).toBeInstanceOf(DeepRegLoaderError);
      expect(error.code).toBe(code);
      expect(error.file).toBe(at(name));
      expect(error.message.startsWith(`${at(name)}: `)).toBe(true);
    }
  });

  test.each([
    ["missing.nii.gz", "NOT_FOUND"],
    ["empty.nii.gz", "EMPTY"],
    ["text.nii", "NOT_NIFTI"],
    ["cut-header.nii", "TRUNCATED"],
    ["complex.nii.gz", "UNSUPPORTED_DTYPE"],
  ])("readNiftiHeader(%s) throws %s", async (name, code) => {
    expect((await caught(() => readNiftiHeader(at(name)))).code).toBe(code);
  });

  test("readNifti(truncated .nii.gz) is TRUNCATED with zlib's error as cause", async () => {
    const error = await caught(() => readNifti(at("cut.nii.gz")));
    expect(error.message).toMatch(/the gzip stream ends early \(unexpected end of file\); the file is truncated$/);
    expect((error.cause as { code?: string }).code).toBe("Z_BUF_ERROR");
  });

  test("readNifti(missing) keeps ENOENT as cause; readNifti(directory) is READ_FAILED", async () => {
    expect((await caught(() => readNifti(at("missing.nii")))).cause).toMatchObject({ code: "ENOENT" });
    expect((await caught(() => readNifti(dir))).code).toBe("READ_FAILED");
  });

  test("readNifti(empty bytes, { file }) is EMPTY naming the given file", async () => {
    const error = await caught(() => readNifti(new Uint8Array(0), { file: "from-network.nii" }));
    expect(error.code).toBe("EMPTY");
    expect(error.message).toBe("from-network.nii: empty file (0 bytes); expected a NIfTI image");
  });
});
