import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DType } from "@deepreg-loader/core";
import { loadH5wasm } from "./h5wasm.js";
import { openH5 } from "./open-h5.js";
import { writeH5 } from "./write-h5.js";
import type { H5TypedArray } from "./write-h5.js";

const SHAPE = [5, 4, 3];
/** 60 values per dtype, covering the type's extremes where they fit. */
const RAMP = Array.from({ length: 60 }, (_, i) => i * 3 - 70);
const ARRAYS: Record<DType, H5TypedArray> = {
  uint8: Uint8Array.from(RAMP, (v) => v + 70 + (v === 107 ? 78 : 0)),
  int8: Int8Array.from(RAMP, (v) => (v === 107 ? 127 : v === -70 ? -128 : v)),
  uint16: Uint16Array.from(RAMP, (v) => (v + 70) * 1000 + (v === 107 ? 8535 : 0)),
  int16: Int16Array.from(RAMP, (v) => v * 300),
  uint32: Uint32Array.from(RAMP, (v) => (v === 107 ? 2 ** 32 - 1 : (v + 70) * 1e7)),
  int32: Int32Array.from(RAMP, (v) => (v === 107 ? 2 ** 31 - 1 : v === -70 ? -(2 ** 31) : v * 1e7)),
  uint64: BigUint64Array.from(RAMP, (v) => (v === 107 ? 2n ** 64n - 1n : BigInt(v + 70) * 10n ** 15n)),
  int64: BigInt64Array.from(RAMP, (v) => (v === 107 ? 2n ** 60n + 2n ** 36n + 1n : BigInt(v) * 10n ** 15n)),
  float32: Float32Array.from(RAMP, (v) => v / 7),
  float64: Float64Array.from(RAMP, (v) => (v === 107 ? 1e300 : v / 7)),
};
/** What numpy gives for `np.asarray(x, dtype=np.float32)`, worked out by hand. */
function expected(dtype: DType): Float32Array {
  const source = ARRAYS[dtype];
  if (dtype === "uint64") return Float32Array.from(source as BigUint64Array, (v) => (v === 2n ** 64n - 1n ? 2 ** 64 : Number(v)));
  if (dtype === "int64") return Float32Array.from(source as BigInt64Array, (v) => (v === 2n ** 60n + 2n ** 36n + 1n ? 2 ** 60 + 2 ** 37 : Number(v)));
  return Float32Array.from(source as ArrayLike<number>);
}

let dir: string;
let typed: string;
let misc: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-"));
  typed = join(dir, "typed.h5");
  await writeH5(typed, Object.fromEntries(Object.entries(ARRAYS).map(([k, data]) => [k, { data, shape: SHAPE }])));
  misc = join(dir, "misc.h5");
  const { h5 } = await loadH5wasm();
  const file = new h5.File(misc, "w");
  file.create_group("grp");
  file.create_dataset({ name: "names", data: ["moving", "fixed"] });
  file.create_dataset({ name: "scalar", data: Float64Array.of(3.5), shape: [] });
  file.create_dataset({ name: "empty", data: new Float32Array(0), shape: [0, 3] });
  file.create_dataset({ name: "vol", data: Float32Array.from(RAMP), shape: SHAPE });
  file.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openH5 keys, shape, dtype", () => {
  it('keys() of {"b","a10","a2","B","_x","é"} -> code-unit order like Python sorted()', async () => {
    const file = join(dir, "order.h5");
    const one = { data: new Float32Array(1), shape: [1] };
    await writeH5(file, { b: one, a10: one, a2: one, B: one, _x: one, "é": one });
    const h5 = await openH5(file);
    expect(h5.keys()).toEqual(["B", "_x", "a10", "a2", "b", "é"]);
    h5.close();
  });

  it("keys() lists groups and non-numeric datasets too (as h5py's keys())", async () => {
    const h5 = await openH5(misc);
    expect(h5.keys()).toEqual(["empty", "grp", "names", "scalar", "vol"]);
    h5.close();
  });

  it("shape(key) and dtype(key) of every dtype, [5,4,3]", async () => {
    const h5 = await openH5(typed);
    expect(h5.keys()).toEqual(Object.keys(ARRAYS).sort());
    for (const dtype of Object.keys(ARRAYS)) {
      expect(h5.shape(dtype)).toEqual([5, 4, 3]);
      expect(h5.dtype(dtype)).toBe(dtype);
    }
    h5.close();
  });
});

describe("openH5(...).read(key)", () => {
  it.each(Object.keys(ARRAYS) as DType[])("read(%s [5,4,3]) -> float32 values, row-major", async (dtype) => {
    const h5 = await openH5(typed);
    const volume = h5.read(dtype);
    expect(volume.shape).toEqual([5, 4, 3]);
    expect(volume.data).toBeInstanceOf(Float32Array);
    expect(volume.data).toEqual(expected(dtype));
    // Row-major: element [i, j, k] is value i*12 + j*3 + k.
    expect(volume.get(4, 1, 2)).toBe(expected(dtype)[4 * 12 + 1 * 3 + 2]);
    h5.close();
  });

  it.each([
    [48, "one row of axis 0"],
    [100, "two rows"],
    [30, "slabs along axis 1"],
    [8, "one value at a time"],
  ])("read(key) with { slabBytes: %i } (%s) equals the whole read", async (slabBytes) => {
    const whole = await openH5(typed);
    const slabbed = await openH5(typed, { slabBytes });
    for (const dtype of ["float32", "int64", "float64", "uint8"]) {
      expect(slabbed.read(dtype).data).toEqual(whole.read(dtype).data);
    }
    whole.close();
    slabbed.close();
  });

  it("read(key) of chunked gzip [9,4,3] with { slabBytes: 100 } equals the values written", async () => {
    const file = join(dir, "chunked.h5");
    const data = Float32Array.from({ length: 108 }, (_, i) => Math.sin(i));
    await writeH5(file, { x: { data, shape: [9, 4, 3] } }, { compression: "gzip", chunks: [2, 3, 3] });
    const h5 = await openH5(file, { slabBytes: 100 });
    expect(h5.read("x").data).toEqual(data);
    h5.close();
  });

  it("read(key, { channel }) of [5,4,3,2] uint8 / float64 / int64 (plain and chunked gzip, any slabBytes) = [..., channel]", async () => {
    const file = join(dir, "label4d.h5");
    const n = 5 * 4 * 3 * 2;
    const u8 = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 251);
    const f64 = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
    const i64 = BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3 - 50));
    await writeH5(file, { u8: { data: u8, shape: [5, 4, 3, 2] }, f64: { data: f64, shape: [5, 4, 3, 2] }, i64: { data: i64, shape: [5, 4, 3, 2] } });
    const gz = join(dir, "label4d-gzip.h5");
    await writeH5(gz, { u8: { data: u8, shape: [5, 4, 3, 2] }, f64: { data: f64, shape: [5, 4, 3, 2] }, i64: { data: i64, shape: [5, 4, 3, 2] } }, { compression: "gzip", chunks: [2, 3, 2, 2] });
    const channelOf = (values: ArrayLike<number | bigint>, c: number): number[] =>
      Array.from(values, Number).filter((_, i) => i % 2 === c).map((v) => Math.fround(v));
    for (const path of [file, gz]) {
      for (const slabBytes of [undefined, 24, 8]) {
        const h5 = await openH5(path, slabBytes === undefined ? {} : { slabBytes });
        for (const [key, values] of [["u8", u8], ["f64", f64], ["i64", i64]] as const) {
          for (const channel of [0, 1]) {
            const vol = h5.read(key, { channel });
            expect(vol.shape).toEqual([5, 4, 3]);
            expect(Array.from(vol.data)).toEqual(channelOf(values, channel));
          }
        }
        h5.close();
      }
    }
  });

  it("read(3D key, { channel: 0 }) is the whole volume; channel 1 of it, channel 2 of [5,4,3,2], channel 0 of 2D -> INVALID_ARGUMENT", async () => {
    const h5 = await openH5(typed);
    expect(h5.read("uint8", { channel: 0 }).data).toEqual(expected("uint8"));
    expect(() => h5.read("uint8", { channel: 1 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", file: typed, message: expect.stringContaining('channel 1 is out of range for dataset "uint8" of shape [5, 4, 3] (1 channel)') }),
    );
    h5.close();
    const file = join(dir, "label4d.h5");
    const h5b = await openH5(file);
    expect(() => h5b.read("u8", { channel: 2 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("(2 channels)") }));
    h5b.close();
    const m = await openH5(misc);
    expect(() => m.read("empty", { channel: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("3D or 4D dataset") }),
    );
    m.close();
  });

  it("read(scalar) -> shape [], one value; read([0,3]) -> no values", async () => {
    const h5 = await openH5(misc);
    expect(h5.read("scalar").shape).toEqual([]);
    expect([...h5.read("scalar").data]).toEqual([3.5]);
    expect(h5.read("empty").shape).toEqual([0, 3]);
    expect(h5.read("empty").data.length).toBe(0);
    h5.close();
  });
});

describe("openH5 lifecycle", () => {
  it("close() twice is fine; keys/shape/dtype/read afterwards throw CLOSED naming the file", async () => {
    const h5 = await openH5(typed);
    h5.close();
    h5.close();
    for (const call of [() => h5.keys(), () => h5.shape("int8"), () => h5.dtype("int8"), () => h5.read("int8")]) {
      expect(call).toThrow(expect.objectContaining({ code: "CLOSED", file: typed, message: `${typed}: the HDF5 file was closed` }));
    }
  });

  it("using h5 = await openH5(path) closes at the end of the block", async () => {
    let escaped;
    {
      using h5 = await openH5(typed);
      escaped = h5;
      expect(h5.read("uint8").shape).toEqual([5, 4, 3]);
    }
    expect(() => escaped.keys()).toThrow(expect.objectContaining({ code: "CLOSED" }));
  });

  it("openH5(path) twice: closing one handle leaves the other readable", async () => {
    const a = await openH5(typed);
    const b = await openH5(typed);
    a.close();
    expect(b.read("int16").data).toEqual(expected("int16"));
    b.close();
  });
});

describe("openH5 bad input", () => {
  it("openH5(missing) -> NOT_FOUND", async () => {
    const file = join(dir, "nope.h5");
    await expect(openH5(file)).rejects.toMatchObject({ code: "NOT_FOUND", file });
  });

  it("openH5(0 bytes) -> EMPTY", async () => {
    const file = join(dir, "empty.h5");
    await writeFile(file, "");
    await expect(openH5(file)).rejects.toMatchObject({ code: "EMPTY", file });
  });

  it("openH5(NIfTI-like bytes) -> NOT_HDF5", async () => {
    const file = join(dir, "image.nii.h5");
    await writeFile(file, Buffer.alloc(352, 1));
    await expect(openH5(file)).rejects.toMatchObject({ code: "NOT_HDF5", file });
  });

  it.each([0.1, 0.5, 0.99])("openH5(HDF5 file cut to %f of its size) -> TRUNCATED naming the file", async (fraction) => {
    const file = join(dir, `cut-${fraction}.h5`);
    await copyFile(typed, file);
    const size = (await readFile(typed)).length;
    await truncate(file, Math.floor(size * fraction));
    await expect(openH5(file)).rejects.toMatchObject({
      code: "TRUNCATED",
      file,
      message: expect.stringMatching(new RegExp(`^${file}: the HDF5 file is truncated \\(truncated file: eof = \\d+`)),
    });
  });

  it("read(missing key) -> KEY_MISSING listing the keys, with did-you-mean", async () => {
    const h5 = await openH5(typed);
    expect(() => h5.read("Float32")).toThrow(
      expect.objectContaining({
        code: "KEY_MISSING",
        file: typed,
        message: `${typed}: no key "Float32"; the file has "float32", "float64", "int16", "int32", "int64", "int8", "uint16", "uint32", "uint64", "uint8". Did you mean "float32"?`,
        details: expect.objectContaining({ key: "Float32", suggestion: "float32" }),
      }),
    );
    expect(() => h5.shape("moving")).toThrow(expect.objectContaining({ code: "KEY_MISSING" }));
    h5.close();
  });

  it("read(group) -> NOT_A_DATASET", async () => {
    const h5 = await openH5(misc);
    expect(() => h5.read("grp")).toThrow(
      expect.objectContaining({ code: "NOT_A_DATASET", file: misc, message: `${misc}: "grp" is a group, expected a dataset` }),
    );
    expect(() => h5.shape("grp")).toThrow(expect.objectContaining({ code: "NOT_A_DATASET" }));
    h5.close();
  });

  it("read(string dataset) and dtype(...) -> UNSUPPORTED_DTYPE naming file and key", async () => {
    const h5 = await openH5(misc);
    const error = expect.objectContaining({
      code: "UNSUPPORTED_DTYPE",
      file: misc,
      message: `${misc}: dataset "names" has type string; expected a numeric type (uint8/int8 ... uint64/int64, float32, float64)`,
    });
    expect(() => h5.read("names")).toThrow(error);
    expect(() => h5.dtype("names")).toThrow(error);
    expect(h5.shape("names")).toEqual([2]);
    h5.close();
  });

  it("read(gzip chunk with corrupted bytes) -> READ_FAILED naming file and key, while shape() still works", async () => {
    const file = join(dir, "corrupt.h5");
    const values = Float32Array.from({ length: 60 }, (_, i) => i);
    await writeH5(file, { x: { data: values, shape: SHAPE } }, { compression: "gzip" });
    const bytes = await readFile(file);
    // Find the one deflate stream (zlib header 78 5e at level 4) and damage its middle.
    let start = -1;
    for (let i = bytes.indexOf(0x78); i >= 0; i = bytes.indexOf(0x78, i + 1)) {
      try {
        if (bytes[i + 1] === 0x5e && inflateSync(bytes.subarray(i)).length === 240) {
          start = i;
          break;
        }
      } catch {
        // not the stream
      }
    }
    expect(start).toBeGreaterThan(0);
    bytes.fill(0xff, start + 4, start + 12);
    await writeFile(file, bytes);
    const h5 = await openH5(file);
    expect(h5.shape("x")).toEqual([5, 4, 3]);
    expect(() => h5.read("x")).toThrow(
      expect.objectContaining({
        code: "READ_FAILED",
        file,
        details: { key: "x" },
        message: expect.stringMatching(new RegExp(`^${file}: cannot read dataset "x": `)),
      }),
    );
    h5.close();
  });

  it("openH5(path, { slabBytes: 0 }) -> INVALID_ARGUMENT", async () => {
    await expect(openH5(typed, { slabBytes: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("ndarray volume", () => {
  it("read(vol) is an ndarray with offset 0 and row-major strides [12,3,1]", async () => {
    const h5 = await openH5(misc);
    const volume = h5.read("vol");
    expect(volume.stride).toEqual([12, 3, 1]);
    expect(volume.offset).toBe(0);
    expect(volume.get(1, 2, 0)).toBe(RAMP[1 * 12 + 2 * 3]);
    h5.close();
  });
});
