// Fuzz suite of the native reader: files in each metadata format it parses (our writer's:
// superblock 2, v2 object headers, dense links; h5py's defaults: superblock 0, symbol table, v1
// B-tree; h5py's libver="latest": superblock 3, compact links, fixed array, single-chunk,
// extensible array and v2 B-tree indexes; DeepReg's contiguous file) with metadata bytes changed or cut short. For every key
// the read with the native reader on must answer exactly as the h5wasm-only read of the same
// bytes: the same values, or the same error code (naming the file); nothing printed; in time.
// Seeded (FUZZ_SEED), bounded (FUZZ_RUNS).
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";
import { capture, expectCodedError, FUZZ_SEED, fuzzRuns } from "../../../../test-utils/fuzz.js";
import { PYTHON, runPython } from "../../../../test-utils/python.js";
import { openH5 } from "../open-h5.js";
import type { H5File } from "../open-h5.js";
import { writeH5 } from "../write-h5.js";

const MAX_BYTES = 64 * 2 ** 20;

let dir = "";
/** Base files and the span of offsets holding their metadata (mutations land there). */
const bases: { name: string; bytes: Buffer; span: number; clean?: Record<string, string> }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-native-fuzz-"));
  const entries: Record<string, { data: Int16Array; shape: number[] }> = {};
  for (let i = 0; i < 10; i++) entries[`k${i}`] = { data: Int16Array.from({ length: 5 * 4 * 3 }, (_, k) => k * (i + 1) - 30), shape: [5, 4, 3] };
  const ours = join(dir, "ours.h5");
  await writeH5(ours, entries, { compression: "gzip", chunks: [3, 4, 3] });
  const oursBytes = readFileSync(ours);
  bases.push({ name: "ours (dense links)", bytes: oursBytes, span: oursBytes.length });
  if (PYTHON) {
    const script = `
import sys, numpy as np, h5py
rng = np.random.default_rng(5)
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("gzip", data=rng.integers(-99, 99, size=(6, 5, 4), dtype="i2"), chunks=(3, 3, 3), compression="gzip", shuffle=True)
    f["plain"] = rng.random((4, 3, 2)).astype("f4")
    f.create_dataset("label", data=(rng.random((4, 3, 2, 3)) > 0.5).astype("u1"), chunks=(2, 3, 2, 3), compression="gzip")
with h5py.File(sys.argv[2], "w", libver="latest") as f:
    f.create_dataset("fixed", data=rng.integers(-99, 99, size=(6, 5, 4), dtype="i2"), chunks=(3, 3, 3), compression="gzip")
    f.create_dataset("single", data=rng.random((4, 3, 2)).astype("f8"), chunks=(4, 3, 2), compression="gzip", shuffle=True)
    f["plain"] = rng.random((4, 3, 2)).astype("f4")
    f.create_dataset("extensible", data=rng.integers(0, 9, size=(7, 5, 4), dtype="u1"), chunks=(1, 3, 4), maxshape=(None, 5, 4), compression="gzip")
    f.create_dataset("btree2", data=rng.integers(0, 9, size=(7, 5, 4), dtype="i2"), chunks=(3, 3, 4), maxshape=(None, None, 4))
`;
    const earliest = join(dir, "earliest.h5");
    const latest = join(dir, "latest.h5");
    runPython(script, [earliest, latest]);
    for (const [name, path] of [["h5py earliest", earliest], ["h5py latest", latest]] as const) {
      const bytes = readFileSync(path);
      bases.push({ name, bytes, span: bytes.length }); // small files: metadata and chunks alike
    }
  } else {
    console.warn("[io-h5 native fuzz] no /usr/bin/python3 with h5py: fuzzing our writer's and DeepReg's files only");
  }
  if (DEEPREG_DATA) {
    const path = join(dir, "deepreg.h5");
    copyFileSync(deepregPath("data", "test", "h5", "paired", "test", "fixed_images.h5"), path);
    bases.push({ name: "DeepReg fixed_images.h5", bytes: readFileSync(path), span: 2048 });
  }
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
let compared = 0;
let lenient = 0;
let nativeReads = 0;
afterAll(() => {
  console.log(`[io-h5 native fuzz] ${counter} files, ${compared} answers, ${nativeReads} native reads (${lenient} right where h5wasm was misled)`);
});

type Inspectable = H5File & { readNative(key: string, options?: { channel?: number }): Float32Array | undefined };

/**
 * Every key's answer (all of it and channel 1): through h5wasm alone, values (base64 of the
 * float32 bytes) or the error code; and what the native reader alone gives (values, or
 * "fallback"; an error code when the checks before reading refuse the key).
 */
async function answers(path: string): Promise<{ h5wasm: Record<string, string>; native: Record<string, string> }> {
  const encode = (data: Float32Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
  const h5wasm: Record<string, string> = {};
  const native: Record<string, string> = {};
  const wasmFile = await openH5(path, { maxBytes: MAX_BYTES, native: false });
  const nativeFile = (await openH5(path, { maxBytes: MAX_BYTES })) as Inspectable;
  try {
    for (const key of wasmFile.keys()) {
      for (const channel of [undefined, 1]) {
        const name = channel === undefined ? key : `${key}[..., ${channel}]`;
        const options = channel === undefined ? {} : { channel };
        try {
          const volume = wasmFile.read(key, options);
          expect(volume.data.length).toBe(volume.shape.reduce((a, b) => a * b, 1));
          h5wasm[name] = encode(volume.data);
        } catch (error) {
          if ((error as { name?: string }).name === "AssertionError") throw error;
          expectCodedError(error, path);
          h5wasm[name] = (error as { code: string }).code;
        }
        try {
          const values = nativeFile.readNative(key, options);
          native[name] = values === undefined ? "fallback" : encode(values);
          // The public read gives the native values when there are any.
          if (values) expect(encode(nativeFile.read(key, options).data)).toBe(native[name]);
        } catch (error) {
          if ((error as { name?: string }).name === "AssertionError") throw error;
          expectCodedError(error, path);
          native[name] = (error as { code: string }).code;
        }
      }
    }
  } finally {
    wasmFile.close();
    nativeFile.close();
  }
  return { h5wasm, native };
}

async function check(bytes: Uint8Array, clean?: Record<string, string>): Promise<void> {
  const path = join(dir, `case-${counter++}.h5`);
  writeFileSync(path, bytes);
  const started = performance.now();
  const { outcome, printed } = await capture(() => answers(path));
  await rm(path, { force: true });
  expect(printed).toBe("");
  expect(performance.now() - started).toBeLessThan(20_000);
  if (!outcome.ok) {
    // Opening or listing failed (h5wasm, before the native reader is involved).
    expectCodedError(outcome.error, path);
    return;
  }
  const { h5wasm, native } = outcome.value;
  compared += Object.keys(native).length;
  // Native values are h5wasm's values on the same bytes, or (where h5wasm is misled by damage
  // that does not touch them) the values of the undamaged file. Never anything else.
  for (const [key, answer] of Object.entries(native)) {
    if (answer === "fallback") continue;
    const theirs = h5wasm[key] as string;
    if (/^[A-Z_]+$/.test(answer)) {
      expect(answer, key).toBe(theirs);
      continue;
    }
    nativeReads += 1;
    if (answer === theirs) continue;
    expect(clean?.[key], `${key}: native values differ from h5wasm's (${theirs.slice(0, 40)}) and from the undamaged file's`).toBe(answer);
    lenient += 1;
  }
}

const params = (runs: number) => ({ seed: FUZZ_SEED, numRuns: fuzzRuns(runs), endOnFailure: true });
const baseIndex = () => fc.integer({ min: 0, max: Math.max(0, bases.length - 1) });
/** A relative position in [0, 1), uniform (fast-check's default bias would hit the signature at 0 most of the time). */
const position = () => fc.noBias(fc.integer({ min: 0, max: 2 ** 30 - 1 })).map((n) => n / 2 ** 30);

describe("fuzz: the native reader answers exactly as h5wasm on damaged files", () => {
  test("unmutated bases", async () => {
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      const path = join(dir, `clean-${counter++}.h5`);
      writeFileSync(path, base.bytes);
      const { h5wasm, native } = await answers(path);
      expect(native).toEqual(h5wasm);
      base.clean = h5wasm;
      await check(base.bytes, base.clean);
    }
  });

  test("1-8 metadata bytes set to random values", async () => {
    await fc.assert(
      fc.asyncProperty(
        baseIndex(),
        fc.array(fc.tuple(position(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (i, edits) => {
          const base = bases[i] as (typeof bases)[number];
          const bytes = Buffer.from(base.bytes);
          for (const [at, value] of edits) bytes[Math.floor(at * base.span)] = value;
          await check(bytes, base.clean);
        },
      ),
      params(120),
    );
  }, 300_000);

  test("metadata words set to extreme values", async () => {
    const WORDS = [0, 1, 0xff, 0xffff, 0xffffffff, 0x7fffffff, 0x80000000, 900, 2048, 65536];
    await fc.assert(
      fc.asyncProperty(
        baseIndex(),
        fc.array(fc.tuple(position(), fc.constantFrom(...WORDS)), { minLength: 1, maxLength: 3 }),
        async (i, edits) => {
          const base = bases[i] as (typeof bases)[number];
          const bytes = Buffer.from(base.bytes);
          for (const [at, value] of edits) bytes.writeUInt32LE(value >>> 0, Math.min(Math.floor(at * base.span), bytes.length - 4));
          await check(bytes, base.clean);
        },
      ),
      params(80),
    );
  }, 300_000);

  test("files cut short", async () => {
    await fc.assert(
      fc.asyncProperty(baseIndex(), position(), async (i, at) => {
        const base = bases[i] as (typeof bases)[number];
        await check(base.bytes.subarray(0, Math.max(1, Math.floor(at * base.bytes.length))), base.clean);
      }),
      params(40),
    );
    // The suite exercised the native reader on damaged files, not only h5wasm's open errors.
    expect(nativeReads).toBeGreaterThan(100);
  }, 300_000);
});
