// Fuzz suite (issue 12): HDF5 files (DeepReg's and our writer's, contiguous and gzip-chunked)
// with bytes of their metadata changed. Every case must open, list, inspect and read each key
// without anything but coded DeepRegLoaderErrors naming the file; a read that succeeds returns
// as many values as the shape the file declares; nothing is printed (h5wasm included); each
// case ends within a time limit; reads are capped at maxBytes 64 MiB. HDF5 metadata of these
// formats has no checksums, so a changed byte may legitimately change the values read: the
// values themselves are checked only for the unmutated files. Seeded (FUZZ_SEED), bounded.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { capture, expectCodedError, FUZZ_SEED, fuzzRuns } from "../../../test-utils/fuzz.js";
import { openH5 } from "./open-h5.js";
import { writeH5 } from "./write-h5.js";

const MAX_BYTES = 64 * 2 ** 20;

let dir = "";
/** Base files: bytes, the span of offsets holding metadata, and the clean read of every key. */
const bases: { name: string; bytes: Buffer; span: number; clean: Record<string, Float32Array> }[] = [];

async function cleanRead(path: string): Promise<Record<string, Float32Array>> {
  const file = await openH5(path);
  const out = Object.fromEntries(file.keys().map((k) => [k, file.read(k).data as Float32Array]));
  file.close();
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-fuzz-"));
  const entries = {
    image: { data: Float32Array.from({ length: 60 }, (_, i) => i * 0.25 - 3), shape: [5, 4, 3] },
    "label-0": { data: Int16Array.from({ length: 24 }, (_, i) => i % 2), shape: [2, 3, 4] },
  };
  for (const [name, options] of [["contiguous", {}], ["gzip", { compression: "gzip" as const }]] as const) {
    const path = join(dir, `${name}.h5`);
    await writeH5(path, entries, options);
    const bytes = readFileSync(path);
    bases.push({ name, bytes, span: bytes.length, clean: await cleanRead(path) });
  }
  if (DEEPREG_DATA) {
    const path = join(dir, "deepreg.h5");
    copyFileSync(deepregPath("data", "test", "h5", "paired", "test", "fixed_images.h5"), path);
    // h5py puts all metadata before the raw data, which starts at byte 2048 in this file.
    bases.push({ name: "DeepReg fixed_images.h5", bytes: readFileSync(path), span: 2048, clean: await cleanRead(path) });
  } else {
    console.warn("[io-h5 fuzz] DeepReg data not found: fuzzing our writer's files only");
  }
}, 240_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

let counter = 0;

/** Opens, lists, inspects and reads every key of `bytes` written to a fresh file; checks each step. */
async function check(bytes: Uint8Array, clean?: Record<string, Float32Array>): Promise<void> {
  const path = join(dir, `case-${counter++}.h5`);
  writeFileSync(path, bytes);
  const started = performance.now();
  const { outcome, printed } = await capture(async () => {
    const file = await openH5(path, { maxBytes: MAX_BYTES });
    const problems: unknown[] = [];
    const values: Record<string, Float32Array> = {};
    try {
      for (const key of file.keys()) {
        try {
          const shape = file.shape(key);
          file.dtype(key);
          const volume = file.read(key);
          expect(volume.shape).toEqual(shape);
          expect(volume.data.length).toBe(shape.reduce((a, b) => a * b, 1));
          values[key] = volume.data as Float32Array;
        } catch (error) {
          if ((error as { name?: string }).name === "AssertionError") throw error;
          problems.push(error);
        }
      }
    } finally {
      file.close();
    }
    return { problems, values };
  });
  await rm(path, { force: true });
  expect(printed).toBe("");
  expect(performance.now() - started).toBeLessThan(15_000);
  if (!outcome.ok) {
    expectCodedError(outcome.error, path);
    return;
  }
  for (const problem of outcome.value.problems) expectCodedError(problem, path);
  if (clean) expect(outcome.value.values).toEqual(clean);
}

const params = (runs: number) => ({ seed: FUZZ_SEED, numRuns: fuzzRuns(runs), endOnFailure: true });
const baseIndex = () => fc.integer({ min: 0, max: bases.length - 1 });

describe("fuzz: openH5 / keys / shape / dtype / read give data or coded errors naming the file", () => {
  test("unmutated bases read their clean values (the oracle's baseline)", async () => {
    for (const base of bases) await check(base.bytes, base.clean);
  });

  test("1-8 metadata bytes set to random values", async () => {
    await fc.assert(
      fc.asyncProperty(
        baseIndex(),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (i, edits) => {
          const base = bases[i] as (typeof bases)[number];
          const bytes = Buffer.from(base.bytes);
          for (const [at, value] of edits) bytes[Math.floor(at * base.span)] = value;
          await check(bytes);
        },
      ),
      params(150),
    );
  }, 240_000);

  test("metadata words set to extreme values (0, 0xff.., sizes, small and huge numbers)", async () => {
    const WORDS = [0, 1, 0xff, 0xffff, 0xffffffff, 0x7fffffff, 0x80000000, 900, 2048, 65536];
    await fc.assert(
      fc.asyncProperty(
        baseIndex(),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.constantFrom(...WORDS)), { minLength: 1, maxLength: 3 }),
        async (i, edits) => {
          const base = bases[i] as (typeof bases)[number];
          const bytes = Buffer.from(base.bytes);
          for (const [at, value] of edits) {
            const offset = Math.min(Math.floor(at * base.span), bytes.length - 4);
            bytes.writeUInt32LE(value >>> 0, offset);
          }
          await check(bytes);
        },
      ),
      params(100),
    );
  }, 240_000);

  test("files cut short", async () => {
    await fc.assert(
      fc.asyncProperty(baseIndex(), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (i, at) => {
        const base = bases[i] as (typeof bases)[number];
        const bytes = base.bytes.subarray(0, Math.max(1, Math.floor(at * base.bytes.length)));
        await check(bytes);
      }),
      params(40),
    );
  }, 240_000);
});
