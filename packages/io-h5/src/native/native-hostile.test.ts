// Hostile files against the native reader: cycles, addresses beyond the file, damaged or
// wrong-sized deflate streams, checksum mismatches, cut files. The native reader must give up
// (fall back to h5wasm) quickly and never return values h5wasm would not; `openH5().read`
// then answers as before (h5wasm's values or a coded error naming the file).
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PYTHON, runPython } from "../../../../test-utils/python.js";
import { openH5 } from "../open-h5.js";
import type { H5File } from "../open-h5.js";
import { writeH5 } from "../write-h5.js";
import { NativeH5 } from "./native-read.js";
import type { ExpectedDataset } from "./native-read.js";

type Inspectable = H5File & { nativeUnsupported(key: string): string | undefined };

let dir = "";
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-native-hostile-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function variant(bytes: Buffer): string {
  const path = join(dir, `case-${counter++}.h5`);
  writeFileSync(path, bytes);
  return path;
}

/** Every offset of `signature` in `bytes`. */
function findAll(bytes: Buffer, signature: string): number[] {
  const found: number[] = [];
  for (let at = bytes.indexOf(signature); at >= 0; at = bytes.indexOf(signature, at + 1)) found.push(at);
  return found;
}

/** Reads `key` with `openH5` (native on) and expects h5wasm's answer: the same values, or a coded error naming the file. */
async function expectLikeH5wasm(path: string, key: string): Promise<void> {
  const outcome = async (native: boolean): Promise<Buffer | string> => {
    try {
      const h5 = await openH5(path, { native });
      try {
        const data = h5.read(key).data;
        return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      } finally {
        h5.close();
      }
    } catch (error) {
      expect(error).toBeInstanceOf(DeepRegLoaderError);
      expect((error as DeepRegLoaderError).file).toBe(path);
      return (error as DeepRegLoaderError).code;
    }
  };
  const ours = await outcome(true);
  const theirs = await outcome(false);
  if (Buffer.isBuffer(theirs)) expect(Buffer.isBuffer(ours) && ours.equals(theirs)).toBe(true);
  else expect(ours).toBe(theirs);
}

const CHUNKED = `
import sys, numpy as np, h5py
with h5py.File(sys.argv[1], "w") as f:
    rng = np.random.default_rng(3)
    f.create_dataset("x", data=rng.integers(0, 255, size=(40, 40, 40), dtype="u1"), chunks=(4, 4, 4), compression="gzip")
`;

describe.skipIf(!PYTHON)("native reader, v1 B-tree chunk index (h5py file, 1000 chunks)", () => {
  let base: Buffer;
  const expected: ExpectedDataset = { shape: [40, 40, 40], type: 0, size: 1, signed: false, chunks: [4, 4, 4] };
  beforeAll(() => {
    const path = join(dir, "chunked.h5");
    runPython(CHUNKED, [path]);
    base = readFileSync(path);
  });

  /** Offsets of the chunk B-tree nodes (type 1) and their levels. */
  function chunkNodes(bytes: Buffer): { at: number; level: number; entries: number }[] {
    return findAll(bytes, "TREE")
      .filter((at) => bytes[at + 4] === 1)
      .map((at) => ({ at, level: bytes[at + 5] as number, entries: bytes.readUInt16LE(at + 6) }));
  }
  // Node: "TREE", type, level, entries(2), left(8), right(8), then key (8 + 8 * 4 bytes), child (8), ...
  const KEY = 8 + 8 * 4;
  const childAt = (node: number, i: number): number => node + 24 + KEY + i * (KEY + 8);
  const keyAt = (node: number, i: number): number => node + 24 + i * (KEY + 8);

  it("reads the untouched file natively", () => {
    const reader = new NativeH5(variant(base));
    expect(reader.read("x", expected)).toBeInstanceOf(Float32Array);
    reader.close();
  });

  it("a node whose child is itself: gives up (loop), in time; openH5 answers like h5wasm", async () => {
    const bytes = Buffer.from(base);
    const root = chunkNodes(bytes).find((n) => n.level > 0);
    expect(root, "the fixture has an internal node").toBeDefined();
    bytes.writeBigUInt64LE(BigInt(root!.at), childAt(root!.at, 1));
    const path = variant(bytes);
    const reader = new NativeH5(path);
    const started = performance.now();
    expect(reader.read("x", expected)).toBeUndefined();
    expect(reader.explain("x", expected)).toMatch(/loop|level/);
    expect(performance.now() - started).toBeLessThan(2000);
    reader.close();
  });

  it("a chunk address beyond the end of the file: gives up; openH5 answers like h5wasm", async () => {
    const bytes = Buffer.from(base);
    const leaf = chunkNodes(bytes).find((n) => n.level === 0)!;
    bytes.writeBigUInt64LE(BigInt(bytes.length + 100), childAt(leaf.at, 0));
    const path = variant(bytes);
    const reader = new NativeH5(path);
    expect(reader.explain("x", expected)).toMatch(/outside the file/);
    reader.close();
    await expectLikeH5wasm(path, "x");
  });

  it("a stored chunk size of 4 GiB: gives up without reading it", () => {
    const bytes = Buffer.from(base);
    const leaf = chunkNodes(bytes).find((n) => n.level === 0)!;
    bytes.writeUInt32LE(0xffffffff, keyAt(leaf.at, 0));
    const reader = new NativeH5(variant(bytes));
    expect(reader.explain("x", expected)).toMatch(/outside the file/);
    reader.close();
  });

  /** The first chunk of the first leaf: where its stored bytes are and how many. */
  function firstChunk(bytes: Buffer): { position: number; size: number; key: number } {
    const leaf = chunkNodes(bytes).find((n) => n.level === 0)!;
    return { position: Number(bytes.readBigUInt64LE(childAt(leaf.at, 0))), size: bytes.readUInt32LE(keyAt(leaf.at, 0)), key: keyAt(leaf.at, 0) };
  }

  it("a damaged deflate stream: the read falls back; openH5 gives h5wasm's coded error", async () => {
    const bytes = Buffer.from(base);
    const chunk = firstChunk(bytes);
    for (let i = 2; i < chunk.size; i += 7) bytes[chunk.position + i] = (bytes[chunk.position + i] as number) ^ 0x5a;
    const path = variant(bytes);
    const reader = new NativeH5(path);
    expect(reader.read("x", expected)).toBeUndefined();
    expect(reader.lastFallback).toMatch(/inflate/);
    reader.close();
    await expectLikeH5wasm(path, "x");
  });

  it.each([
    ["more", 4 * 4 * 4 + 1],
    ["fewer", 4 * 4 * 4 - 1],
  ])("a deflate stream that inflates to %s bytes than the chunk holds: the read falls back", (_, length) => {
    const bytes = Buffer.from(base);
    const chunk = firstChunk(bytes);
    const stream = zlib.deflateSync(Buffer.alloc(length, 1));
    expect(stream.length).toBeLessThanOrEqual(chunk.size);
    stream.copy(bytes, chunk.position);
    bytes.writeUInt32LE(stream.length, chunk.key);
    const reader = new NativeH5(variant(bytes));
    expect(reader.read("x", expected)).toBeUndefined();
    expect(reader.lastFallback).toMatch(/inflate: \d+ bytes, expected 64/);
    reader.close();
  });

  it("a file cut inside the chunk data: gives up; openH5 answers with a coded error like h5wasm", async () => {
    const path = variant(base.subarray(0, Math.floor(base.length * 0.6)));
    const reader = new NativeH5(path);
    expect(reader.read("x", expected)).toBeUndefined();
    reader.close();
    await expectLikeH5wasm(path, "x");
  });
});

describe("native reader, files of our writer (superblock 2, v2 object headers, dense links, v1 B-tree chunks)", () => {
  const entries: Record<string, { data: Int16Array; shape: number[] }> = {};
  for (let i = 0; i < 12; i++) entries[`case-${i}`] = { data: Int16Array.from({ length: 6 * 5 * 4 }, (_, k) => k * (i + 1) - 50), shape: [6, 5, 4] };
  let base: Buffer;
  beforeAll(async () => {
    const path = join(dir, "ours.h5");
    await writeH5(path, entries, { compression: "gzip", chunks: [3, 5, 4] });
    base = readFileSync(path);
  });

  it("reads every key natively, equal to what was written", async () => {
    const h5 = (await openH5(variant(base))) as Inspectable;
    expect(h5.keys()).toHaveLength(12);
    for (const key of h5.keys()) {
      expect(h5.nativeUnsupported(key)).toBeUndefined();
      expect(Array.from(h5.read(key).data)).toEqual(Array.from(entries[key]!.data));
    }
    h5.close();
    expect(findAll(base, "FRHP").length, "dense link storage").toBe(1);
    expect(findAll(base, "TREE").length, "v1 B-tree chunk indexes").toBe(12);
  });

  it.each(["OHDR", "FRHP", "BTHD", "BTLF"])("a changed byte in a %s block: checksum mismatch, falls back; openH5 answers like h5wasm", async (signature) => {
    await checksummed(base, signature);
  });
});

describe.skipIf(!PYTHON)("native reader, fixed array chunk index (h5py, libver latest)", () => {
  it.each(["FAHD", "FADB"])("a changed byte in a %s block: checksum mismatch, falls back; openH5 answers like h5wasm", async (signature) => {
    const path = join(dir, "latest.h5");
    runPython(
      `import sys, numpy as np, h5py
with h5py.File(sys.argv[1], "w", libver="latest") as f:
    for i in range(3):
        f.create_dataset(f"x{i}", data=np.arange(9 * 10 * 11, dtype="i2").reshape(9, 10, 11) * (i + 1), chunks=(4, 4, 4), compression="gzip")
`,
      [path],
    );
    const base = readFileSync(path);
    expect(findAll(base, signature)).toHaveLength(3);
    const h5 = (await openH5(path)) as Inspectable;
    for (const key of h5.keys()) expect(h5.nativeUnsupported(key)).toBeUndefined();
    h5.close();
    await checksummed(base, signature);
  });
});

/** Changes one byte of the last `signature` block of `base`; the native reader must notice (checksum) or h5wasm refuse. */
async function checksummed(base: Buffer, signature: string): Promise<void> {
  {
    const bytes = Buffer.from(base);
    const at = findAll(bytes, signature).at(-1)!;
    bytes[at + 9] = (bytes[at + 9] as number) ^ 0x01;
    const path = variant(bytes);
    const h5 = (await openH5(path).catch((error: unknown) => error)) as Inspectable | DeepRegLoaderError;
    if (h5 instanceof DeepRegLoaderError) {
      expect(h5.file).toBe(path); // h5wasm refuses the file at open: nothing to read natively
      return;
    }
    for (const key of h5.keys()) {
      const why = (() => {
        try {
          return h5.nativeUnsupported(key);
        } catch (error) {
          return (error as DeepRegLoaderError).code;
        }
      })();
      if (why !== undefined) continue;
      // Read natively: must be the value h5wasm gives (the change did not touch this key).
      await expectLikeH5wasm(path, key);
    }
    const reasons = h5.keys().map((key) => {
      try {
        return h5.nativeUnsupported(key) ?? "native";
      } catch (error) {
        return (error as DeepRegLoaderError).code;
      }
    });
    // The changed block is noticed: by its checksum (native), or h5wasm refuses the key.
    const noticed = reasons.filter((r) => r !== "native");
    expect(noticed.length, reasons.join("; ")).toBeGreaterThan(0);
    expect(noticed.every((r) => /checksum|could not be opened natively|READ_FAILED/.test(r)), reasons.join("; ")).toBe(true);
    h5.close();
  }
}

describe("a file replaced on disk after openH5", () => {
  it("reads the file that was opened, natively, as h5wasm does", async () => {
    const path = join(dir, "replaced.h5");
    const before = { x: { data: Int16Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4] } };
    await writeH5(path, before, { compression: "gzip" });
    const h5 = (await openH5(path)) as Inspectable;
    // writeH5 writes beside the file and renames it into place: a new inode at the same path.
    await writeH5(path, { x: { data: Int16Array.from({ length: 24 }, (_, i) => -i), shape: [2, 3, 4] } }, { compression: "gzip" });
    expect(h5.nativeUnsupported("x")).toBeUndefined();
    expect(Array.from(h5.read("x").data)).toEqual(Array.from(before.x.data));
    h5.close();
  });
});
