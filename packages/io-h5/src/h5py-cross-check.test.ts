import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { openH5 } from "./open-h5.js";

/**
 * Writes fixtures with h5py (every dtype in both byte orders with edge values, chunked with
 * gzip/shuffle/fletcher32/scaleoffset/nbit, LZF, non-numeric types) and, for each readable
 * dataset, the bytes of `np.asarray(h5[key], dtype=np.float32)` (HDF5 converts) and of
 * `h5[key][()].astype(np.float32)` (numpy converts).
 */
const FIXTURES = `
import sys, os, json, warnings, numpy as np, h5py
warnings.simplefilter("ignore")
d = sys.argv[1]
rng = np.random.default_rng(7)
shape = (5, 4, 3)
n = 60

def values(t):
    dt = np.dtype(t)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        edge = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
        if dt.itemsize == 8:
            edge += [2**53 + 1, 2**60 + 2**36 + 1, 2**54 + 2**30, 2**54 + 2**30 + 1, 2**62 + 2**38]
        rest = rng.integers(info.min, info.max, size=n - len(edge), endpoint=True, dtype=dt)
        return np.concatenate([np.array(edge, dtype=dt), rest])
    fi = np.finfo(dt)
    edge = [np.inf, -np.inf, np.nan, -0.0, 0.0, fi.max, -fi.max, fi.tiny, -fi.tiny / 4]
    if dt.itemsize == 8:
        edge += [1e300, 3.4028235677973366e38, 1 + 2**-24 + 2**-50, 1e-46, 2.1019476964872256e-45, 1 + 2**-24]
        rest = rng.standard_normal(n - len(edge)) * 10.0 ** rng.uniform(-60, 60, n - len(edge))
    else:
        rest = rng.standard_normal(n - len(edge)) * 10.0 ** rng.uniform(-30, 30, n - len(edge))
    return np.concatenate([np.array(edge, dtype=dt), rest.astype(dt)])

meta = {}
with h5py.File(os.path.join(d, "dtypes.h5"), "w") as f:
    for t in ["u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f4", "f8"]:
        v = values(t).reshape(shape)
        f[t + "-le"] = v.astype("<" + t)
        f[t + "-be"] = v.astype(">" + t)

with h5py.File(os.path.join(d, "filters.h5"), "w") as f:
    f.create_dataset("gzip-shuffle-f4-be", data=values("f4").reshape(shape).astype(">f4"), chunks=(2, 3, 2), compression="gzip", shuffle=True)
    f.create_dataset("gzip-shuffle-i2", data=values("i2").reshape(shape), chunks=(5, 1, 3), compression="gzip", compression_opts=9, shuffle=True)
    f.create_dataset("gzip-u8-be", data=values("u8").reshape(shape).astype(">u8"), chunks=(1, 4, 3), compression="gzip")
    f.create_dataset("fletcher32-f8", data=values("f8").reshape(shape), chunks=(3, 4, 3), fletcher32=True)
    f.create_dataset("gzip-shuffle-fletcher32-i4", data=values("i4").reshape(shape), chunks=(2, 2, 2), compression="gzip", shuffle=True, fletcher32=True)
    f.create_dataset("scaleoffset-i4", data=rng.integers(-500, 500, size=shape, dtype="i4"), chunks=(5, 4, 3), scaleoffset=0)
    f.create_dataset("scaleoffset-f4", data=rng.standard_normal(shape).astype("f4"), chunks=(5, 2, 3), scaleoffset=3)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((5, 2, 3))
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, 0, ())
    nbit = h5py.Dataset(h5py.h5d.create(f.id, b"nbit-i2", h5py.h5t.STD_I16LE, h5py.h5s.create_simple(shape), dcpl=dcpl))
    nbit[...] = values("i2").reshape(shape)
    f.create_dataset("chunked-4d", data=rng.random((5, 4, 3, 2)).astype("f4"), chunks=(3, 3, 3, 1), compression="gzip")

with h5py.File(os.path.join(d, "lzf.h5"), "w") as f:
    f.create_dataset("x", data=np.arange(n, dtype="f4").reshape(shape), chunks=shape, compression="lzf")

with h5py.File(os.path.join(d, "types.h5"), "w") as f:
    f["half"] = np.ones(shape, dtype="f2")
    f["bool"] = np.ones(shape, dtype=bool)
    f["text"] = np.array([b"moving", b"fixed"])
    f["pair"] = np.zeros(3, dtype=[("a", "i4"), ("b", "f4")])
    f["empty"] = h5py.Empty("f4")
    f.create_group("group").create_dataset("inner", data=np.zeros(shape, dtype="f4"))

for name in ["dtypes.h5", "filters.h5"]:
    meta[name] = {}
    with h5py.File(os.path.join(d, name), "r") as f:
        for k in f.keys():
            arr = np.asarray(f[k], dtype=np.float32)
            with open(os.path.join(d, name + "." + k + ".f32"), "wb") as out:
                out.write(arr.tobytes())
            with open(os.path.join(d, name + "." + k + ".astype.f32"), "wb") as out:
                out.write(f[k][()].astype(np.float32).tobytes())
            dcpl = f[k].id.get_create_plist()
            filters = [dcpl.get_filter(i)[0] for i in range(dcpl.get_nfilters())]
            meta[name][k] = {"shape": list(f[k].shape), "dtype": f[k].dtype.name, "filters": filters}
for name in ["lzf.h5", "types.h5"]:
    with h5py.File(os.path.join(d, name), "r") as f:
        meta[name] = {k: {} for k in f.keys()}
print(json.dumps(meta))
`;

type Meta = Record<string, Record<string, { shape?: number[]; dtype?: string; filters?: number[] }>>;
let dir: string;
let meta: Meta;

function bytesOf(data: Float32Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

describe.skipIf(!PYTHON)("openH5 against h5py", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
    meta = JSON.parse(runPython(FIXTURES, [dir])) as Meta;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(["dtypes.h5", "filters.h5", "lzf.h5", "types.h5"])("keys() of %s equals sorted(h5py keys)", async (name) => {
    const h5 = await openH5(join(dir, name));
    expect(h5.keys()).toEqual(Object.keys(meta[name] ?? {}).sort());
    h5.close();
  });

  it("read(key) of every dtype, little- and big-endian, with extremes, NaN, inf, subnormals: bytes equal h5py's", async () => {
    const file = join(dir, "dtypes.h5");
    const h5 = await openH5(file);
    expect(h5.keys()).toHaveLength(20);
    for (const key of h5.keys()) {
      const volume = h5.read(key);
      expect(h5.shape(key), key).toEqual(meta["dtypes.h5"]?.[key]?.shape);
      expect(h5.dtype(key), key).toBe(meta["dtypes.h5"]?.[key]?.dtype);
      // numpy's conversion, always.
      expect(bytesOf(volume.data).equals(await readFile(`${file}.${key}.astype.f32`)), key).toBe(true);
      // np.asarray(h5[key], dtype=np.float32), HDF5's conversion: equal too, except big-endian float64 (next test).
      if (key !== "f8-be") expect(bytesOf(volume.data).equals(await readFile(`${file}.${key}.f32`)), key).toBe(true);
    }
    h5.close();
  });

  it("read(f8-be): differs from np.asarray(h5[key], float32) only where HDF5's software converter does (NaN bits, exact ties, the edge of the range)", async () => {
    // HDF5 converts non-native byte order in software: it rounds exact ties away from zero and
    // writes NaN as 0x7fffffff. Entries 2 (NaN), 10 (FLT_MAX + half an ulp), 13 (1.5 x the
    // smallest subnormal) and 14 (1 + 2^-24) of the fixture are such cases; nothing else may differ.
    const file = join(dir, "dtypes.h5");
    const h5 = await openH5(file);
    const ours = new Uint32Array(h5.read("f8-be").data.buffer);
    const raw = await readFile(`${file}.f8-be.f32`);
    const theirs = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const differing = [...ours.keys()].filter((i) => ours[i] !== theirs[i]);
    expect(differing.every((i) => [2, 10, 13, 14].includes(i)), `differing at ${differing.join(", ")}`).toBe(true);
    h5.close();
  });

  it("read(key) of chunked datasets with gzip, shuffle, fletcher32, scaleoffset, nbit, partial edge chunks: bytes equal h5py's", async () => {
    const file = join(dir, "filters.h5");
    const h5 = await openH5(file);
    expect(h5.keys()).toHaveLength(9);
    // The fixture covers every filter h5wasm has.
    const used = new Set(Object.values(meta["filters.h5"] ?? {}).flatMap((m) => m.filters ?? []));
    expect([...used].sort()).toEqual([1, 2, 3, 5, 6]);
    for (const key of h5.keys()) {
      expect(h5.shape(key), key).toEqual(meta["filters.h5"]?.[key]?.shape);
      const expected = await readFile(`${file}.${key}.f32`);
      expect(bytesOf(h5.read(key).data).equals(expected), key).toBe(true);
    }
    h5.close();
  });

  it("read(key) in slabs of 100 bytes of chunked gzip/shuffle big-endian data: bytes equal h5py's", async () => {
    const file = join(dir, "filters.h5");
    const h5 = await openH5(file, { slabBytes: 100 });
    for (const key of ["gzip-shuffle-f4-be", "gzip-u8-be", "chunked-4d"]) {
      expect(bytesOf(h5.read(key).data).equals(await readFile(`${file}.${key}.f32`)), key).toBe(true);
    }
    h5.close();
  });

  it("read(LZF dataset) -> UNSUPPORTED_FILTER naming file and key; shape() and dtype() still answer without reading", async () => {
    const file = join(dir, "lzf.h5");
    const h5 = await openH5(file);
    expect(h5.shape("x")).toEqual([5, 4, 3]);
    expect(h5.dtype("x")).toBe("float32");
    expect(() => h5.read("x")).toThrow(
      expect.objectContaining({
        code: "UNSUPPORTED_FILTER",
        file,
        details: { key: "x", filters: [32000] },
        message:
          `${file}: dataset "x" is compressed with lzf (id 32000), which h5wasm cannot decode; available: ` +
          `deflate (1), shuffle (2), fletcher32 (3), nbit (5), scaleoffset (6). Rewrite it with gzip, e.g. h5py create_dataset(..., compression="gzip")`,
      }),
    );
    h5.close();
  });

  it.each([
    ["half", "UNSUPPORTED_DTYPE", "has type float of 16 bits"],
    ["bool", "UNSUPPORTED_DTYPE", "has type enum (h5py stores bool as enum)"],
    ["text", "UNSUPPORTED_DTYPE", "has type string"],
    ["pair", "UNSUPPORTED_DTYPE", "has type compound"],
    ["empty", "SHAPE", "has a null dataspace (h5py.Empty)"],
    ["group", "NOT_A_DATASET", "is a group, expected a dataset"],
  ])("read(%s) of an h5py file -> %s", async (key, code, text) => {
    const file = join(dir, "types.h5");
    const h5 = await openH5(file);
    expect(() => h5.read(key)).toThrow(
      expect.objectContaining({ code, file, message: expect.stringContaining(`"${key}" ${text}`) }),
    );
    h5.close();
  });
});
