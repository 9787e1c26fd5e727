// The native read path against h5py and against the h5wasm path: files written by h5py in
// every layout variant the native reader covers (and some it does not, which must fall back and
// still read right). Each dataset is read natively, through h5wasm, and compared byte for byte
// with `np.asarray(h5[key], dtype=np.float32)` (and `[..., c]` for each channel of 4D ones).
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, runPython } from "../../../../test-utils/python.js";
import { openH5 } from "../open-h5.js";
import type { H5File } from "../open-h5.js";

const FIXTURES = `
import sys, os, json, warnings, numpy as np, h5py
warnings.simplefilter("ignore")
d = sys.argv[1]
rng = np.random.default_rng(11)
meta = {}

def image(shape, t):
    dt = np.dtype(t)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(info.min, -40000), min(info.max, 40000)
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)
    return (rng.standard_normal(shape) * 100).astype(dt)

def label(shape):
    return (rng.random(shape) > 0.7).astype("u1")

files = {}
def add(name, key, native, **kw):
    files.setdefault(name, {})[key] = native

# 1. h5py defaults (superblock 0, v1 object headers, symbol table, layout v3, v1 B-tree chunk index).
with h5py.File(os.path.join(d, "earliest.h5"), "w") as f:
    for t in ["u1", "i2", "f4", "f8", "i8", "u2"]:
        f[t + "-contiguous"] = image((7, 6, 5), t); add("earliest.h5", t + "-contiguous", True)
    f["f4-be-contiguous"] = image((7, 6, 5), ">f4"); add("earliest.h5", "f4-be-contiguous", True)
    f["i2-be-contiguous"] = image((7, 6, 5), ">i2"); add("earliest.h5", "i2-be-contiguous", True)
    f.create_dataset("compact", data=image((3, 4, 5), "i2"), **{}); add("earliest.h5", "compact", True)
    for level in [1, 4, 9]:
        f.create_dataset(f"gzip{level}-i2", data=image((19, 17, 13), "i2"), chunks=(8, 8, 8), compression="gzip", compression_opts=level)
        add("earliest.h5", f"gzip{level}-i2", True)
    f.create_dataset("gzip-shuffle-f4", data=image((19, 17, 13), "f4"), chunks=(5, 6, 7), compression="gzip", shuffle=True); add("earliest.h5", "gzip-shuffle-f4", True)
    f.create_dataset("gzip-shuffle-f8-be", data=image((9, 10, 11), ">f8"), chunks=(4, 4, 4), compression="gzip", shuffle=True); add("earliest.h5", "gzip-shuffle-f8-be", True)
    f.create_dataset("shuffle-only-i2", data=image((9, 10, 11), "i2"), chunks=(4, 5, 11), shuffle=True); add("earliest.h5", "shuffle-only-i2", True)
    f.create_dataset("chunked-unfiltered-u1", data=image((9, 10, 11), "u1"), chunks=(2, 3, 4)); add("earliest.h5", "chunked-unfiltered-u1", True)
    f.create_dataset("gzip-i8", data=image((6, 5, 4), "i8") * 2**40, chunks=(4, 4, 4), compression="gzip"); add("earliest.h5", "gzip-i8", True)
    f.create_dataset("label-4d", data=label((13, 12, 11, 3)), chunks=(5, 5, 5, 3), compression="gzip"); add("earliest.h5", "label-4d", True)
    f.create_dataset("label-4d-split", data=label((13, 12, 11, 3)), chunks=(5, 5, 5, 2), compression="gzip", shuffle=True); add("earliest.h5", "label-4d-split", True)
    f.create_dataset("many-chunks", data=image((30, 30, 30), "i2"), chunks=(2, 3, 5), compression="gzip"); add("earliest.h5", "many-chunks", True)
    # Never written / partly written: missing chunks read as the fill value.
    f.create_dataset("unwritten", shape=(4, 5, 6), dtype="f4"); add("earliest.h5", "unwritten", True)
    p = f.create_dataset("partial", shape=(10, 10, 10), dtype="i2", chunks=(4, 4, 4), compression="gzip"); p[0:4, 4:8, :] = 7; add("earliest.h5", "partial", True)
    q = f.create_dataset("partial-fill", shape=(10, 10, 10), dtype="i2", chunks=(4, 4, 4), compression="gzip", fillvalue=-3); q[0:4, 4:8, :] = 7; add("earliest.h5", "partial-fill", False)
    # Filters and storage the native reader leaves to h5wasm.
    f.create_dataset("fletcher32", data=image((9, 10, 11), "f4"), chunks=(4, 4, 4), fletcher32=True); add("earliest.h5", "fletcher32", False)
    f.create_dataset("scaleoffset", data=image((9, 10, 11), "i4"), chunks=(4, 4, 4), scaleoffset=0); add("earliest.h5", "scaleoffset", False)
    f.create_dataset("resizable", data=image((9, 10, 11), "f4"), chunks=(4, 4, 4), maxshape=(None, 10, 11), compression="gzip"); add("earliest.h5", "resizable", True)
    f["soft"] = h5py.SoftLink("/compact"); add("earliest.h5", "soft", False)
    # Enough names for several symbol table nodes.
    for i in range(40):
        f[f"many-{i:02d}"] = np.full((2, 2, 2), i, dtype="i2"); add("earliest.h5", f"many-{i:02d}", True)

# 2. libver latest (superblock 3, v2 object headers, link messages or dense links, layout v4).
with h5py.File(os.path.join(d, "latest-compact.h5"), "w", libver="latest") as f:
    f["contiguous-f4"] = image((7, 6, 5), "f4"); add("latest-compact.h5", "contiguous-f4", True)
    f.create_dataset("single-chunk-gzip", data=image((7, 6, 5), "i2"), chunks=(7, 6, 5), compression="gzip"); add("latest-compact.h5", "single-chunk-gzip", True)
    f.create_dataset("single-chunk", data=image((7, 6, 5), "i2"), chunks=(7, 6, 5)); add("latest-compact.h5", "single-chunk", True)
    f.create_dataset("fixed-array-gzip-shuffle", data=image((19, 17, 13), "f4"), chunks=(8, 8, 8), compression="gzip", shuffle=True); add("latest-compact.h5", "fixed-array-gzip-shuffle", True)
    f.create_dataset("fixed-array", data=image((19, 17, 13), "u1"), chunks=(8, 8, 8)); add("latest-compact.h5", "fixed-array", True)
    f.create_dataset("fixed-array-paged", data=image((40, 40, 40), "i2"), chunks=(3, 3, 3), compression="gzip"); add("latest-compact.h5", "fixed-array-paged", True)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE); dcpl.set_chunk((4, 4, 4)); dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    imp = h5py.Dataset(h5py.h5d.create(f.id, b"implicit", h5py.h5t.STD_I16LE, h5py.h5s.create_simple((9, 10, 11)), dcpl=dcpl)); imp[...] = image((9, 10, 11), "i2"); add("latest-compact.h5", "implicit", True)
    f.create_dataset("extensible", data=image((9, 10, 11), "f4"), chunks=(4, 4, 4), maxshape=(None, 10, 11), compression="gzip"); add("latest-compact.h5", "extensible", True)
    f.create_dataset("extensible-axis-1", data=image((9, 10, 11), "i2"), chunks=(4, 3, 4), maxshape=(9, None, 11), compression="gzip", shuffle=True); add("latest-compact.h5", "extensible-axis-1", True)
    f.create_dataset("extensible-unfiltered", data=image((9, 10, 11), "u1"), chunks=(2, 3, 4), maxshape=(9, 10, None)); add("latest-compact.h5", "extensible-unfiltered", True)
    ext = f.create_dataset("extensible-super-blocks", shape=(200, 20, 20), dtype="i2", chunks=(2, 4, 4), maxshape=(None, 20, 20), compression="gzip"); ext[...] = image((200, 20, 20), "i2"); add("latest-compact.h5", "extensible-super-blocks", True)
    part = f.create_dataset("extensible-partial", shape=(40, 8, 8), dtype="i2", chunks=(2, 4, 4), maxshape=(None, 8, 8), compression="gzip"); part[4:10] = 5; add("latest-compact.h5", "extensible-partial", True)
    ext = f.create_dataset("extensible-many", shape=(3000, 4, 4), dtype="u1", chunks=(1, 4, 4), maxshape=(None, 4, 4), compression="gzip"); ext[...] = image((3000, 4, 4), "u1"); add("latest-compact.h5", "extensible-many", True)
    # Data blocks of more than 1024 elements are paged (from element 16 x (2^13 - 1) on): left to h5wasm.
    paged = f.create_dataset("extensible-paged", shape=(140000,), dtype="u1", chunks=(1,), maxshape=(None,)); paged[...] = image((140000,), "u1"); add("latest-compact.h5", "extensible-paged", False)
    f.create_dataset("btree2", data=image((9, 10, 11), "f4"), chunks=(4, 4, 4), maxshape=(None, None, 11), compression="gzip", shuffle=True); add("latest-compact.h5", "btree2", True)
    f.create_dataset("btree2-unfiltered", data=image((9, 10, 11), "i2"), chunks=(2, 3, 4), maxshape=(None, None, 11)); add("latest-compact.h5", "btree2-unfiltered", True)
    big = f.create_dataset("btree2-deep", shape=(60, 60, 60), dtype="u1", chunks=(2, 2, 2), maxshape=(None, None, 60), compression="gzip"); big[...] = image((60, 60, 60), "u1"); add("latest-compact.h5", "btree2-deep", True)
    f.create_dataset("label-4d", data=label((13, 12, 11, 3)), chunks=(6, 6, 11, 3), compression="gzip"); add("latest-compact.h5", "label-4d", True)

with h5py.File(os.path.join(d, "latest-dense.h5"), "w", libver="latest") as f:
    for i in range(20):
        f.create_dataset(f"case-{i:02d}", data=image((6, 5, 4), "i2"), chunks=(3, 5, 4), compression="gzip"); add("latest-dense.h5", f"case-{i:02d}", True)

with h5py.File(os.path.join(d, "latest-dense-deep.h5"), "w", libver="latest") as f:
    for i in range(300):
        f[f"k{i:03d}"] = np.full((2, 3), i, dtype="i2"); add("latest-dense-deep.h5", f"k{i:03d}", True)

# 3. libver v108 like h5wasm writes (superblock 2).
with h5py.File(os.path.join(d, "v108.h5"), "w", libver=("v108", "v110")) as f:
    f.create_dataset("gzip-i2", data=image((19, 17, 13), "i2"), chunks=(8, 17, 13), compression="gzip"); add("v108.h5", "gzip-i2", True)
    f.create_dataset("lzf", data=image((9, 10, 11), "f4"), chunks=(4, 4, 4), compression="lzf"); add("v108.h5", "lzf", False)

for name, keys in files.items():
    meta[name] = {}
    with h5py.File(os.path.join(d, name), "r") as f:
        for k, native in keys.items():
            ds = f[k]
            base = os.path.join(d, name + "." + k)
            if ds.compression == "lzf":
                meta[name][k] = {"native": native, "shape": list(ds.shape), "lzf": True}
                continue
            np.asarray(ds, dtype=np.float32).tofile(base + ".f32")
            if ds.ndim == 4:
                for c in range(ds.shape[3]):
                    np.asarray(ds[..., c], dtype=np.float32).tofile(base + f".c{c}.f32")
            meta[name][k] = {"native": native, "shape": list(ds.shape)}
print(json.dumps(meta))
`;

type Meta = Record<string, Record<string, { native: boolean; shape: number[]; lzf?: boolean }>>;

/** The test hook of the file class (not part of the public `H5File`). */
type Inspectable = H5File & { nativeUnsupported(key: string): string | undefined };

let dir = "";
let meta: Meta = {};

function bytesOf(data: Float32Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

if (!PYTHON) console.warn("[io-h5 native read] no /usr/bin/python3 with h5py: the h5py layout variants are skipped");

describe.skipIf(!PYTHON)("native read of h5py's layout variants", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-native-"));
    meta = JSON.parse(runPython(FIXTURES, [dir])) as Meta;
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  for (const name of ["earliest.h5", "latest-compact.h5", "latest-dense.h5", "latest-dense-deep.h5", "v108.h5"]) {
    it(`${name}: every dataset equals h5py's, natively where supported, through h5wasm otherwise`, async () => {
      const path = join(dir, name);
      const native = (await openH5(path)) as Inspectable;
      const wasm = await openH5(path, { native: false });
      try {
        const keys = Object.keys(meta[name] ?? {});
        expect(keys.length).toBeGreaterThan(0);
        expect(native.keys()).toEqual([...keys].sort());
        for (const key of keys) {
          const m = meta[name]?.[key] as Meta[string][string];
          const why = native.nativeUnsupported(key);
          if (m.native) expect(why, `${key} should be read natively`).toBeUndefined();
          else expect(why, `${key} should fall back`).toEqual(expect.any(String));
          if (m.lzf) {
            expect(() => native.read(key)).toThrow(expect.objectContaining({ code: "UNSUPPORTED_FILTER", file: path }));
            continue;
          }
          const expected = await readFile(join(dir, `${name}.${key}.f32`));
          const ours = native.read(key);
          expect(ours.shape, key).toEqual(m.shape);
          expect(bytesOf(ours.data).equals(expected), `${key} vs h5py`).toBe(true);
          expect(bytesOf(ours.data).equals(bytesOf(wasm.read(key).data)), `${key} vs h5wasm`).toBe(true);
          if (m.shape.length === 4) {
            for (let c = 0; c < (m.shape[3] as number); c++) {
              const channel = native.read(key, { channel: c });
              expect(channel.shape).toEqual(m.shape.slice(0, 3));
              expect(bytesOf(channel.data).equals(await readFile(join(dir, `${name}.${key}.c${c}.f32`))), `${key}[..., ${c}]`).toBe(true);
            }
          }
        }
      } finally {
        native.close();
        wasm.close();
      }
    }, 120_000);
  }

  it("the reasons given for falling back name what is not supported", async () => {
    const h5 = (await openH5(join(dir, "earliest.h5"))) as Inspectable;
    const latest = (await openH5(join(dir, "latest-compact.h5"))) as Inspectable;
    const v108 = (await openH5(join(dir, "v108.h5"))) as Inspectable;
    try {
      expect(h5.nativeUnsupported("fletcher32")).toBe("filter 3");
      expect(h5.nativeUnsupported("scaleoffset")).toBe("filter 6");
      expect(h5.nativeUnsupported("partial-fill")).toBe("non-zero fill value");
      expect(h5.nativeUnsupported("soft")).toBe('"soft" is not a hard link');
      expect(latest.nativeUnsupported("extensible")).toBeUndefined();
      expect(latest.nativeUnsupported("extensible-paged")).toBe("paged extensible array data block");
      expect(latest.nativeUnsupported("btree2")).toBeUndefined();
      expect(v108.nativeUnsupported("lzf")).toBe("filter 32000");
    } finally {
      h5.close();
      latest.close();
      v108.close();
    }
    const off = (await openH5(join(dir, "earliest.h5"), { native: false })) as Inspectable;
    expect(off.nativeUnsupported("compact")).toBe("the native reader is off");
    off.close();
  });

  it("a dense group of 2,500 links (name index two levels deep): every key is found natively", async () => {
    const path = join(dir, "dense-2500.h5");
    // Prints the depth of the name index (the first v2 B-tree header of the file).
    const depth = Number(
      runPython(
        `import sys, numpy as np, h5py
with h5py.File(sys.argv[1], "w", libver="latest") as f:
    for i in range(2500):
        f[f"n{i:04d}"] = np.full((2,), i, dtype="i2")
b = open(sys.argv[1], "rb").read()
i = b.find(b"BTHD")
print(int.from_bytes(b[i + 12:i + 14], "little"))`,
        [path],
      ).trim(),
    );
    expect(depth, "name index depth").toBeGreaterThanOrEqual(2);
    const h5 = (await openH5(path)) as Inspectable;
    try {
      expect(h5.keys()).toHaveLength(2500);
      for (let i = 0; i < 2500; i += 37) {
        const key = `n${String(i).padStart(4, "0")}`;
        expect(h5.nativeUnsupported(key), key).toBeUndefined();
        expect(Array.from(h5.read(key).data)).toEqual([i, i]);
      }
    } finally {
      h5.close();
    }
  }, 120_000);

  it("maxBytes and channel checks come first, with the same codes as before", async () => {
    const path = join(dir, "earliest.h5");
    const h5 = await openH5(path, { maxBytes: 100 });
    expect(() => h5.read("many-chunks")).toThrow(expect.objectContaining({ code: "TOO_LARGE", file: path }));
    expect(() => h5.read("label-4d", { channel: 3 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", file: path }));
    h5.close();
  });
});
