// openH5 without h5wasm: files the native reader describes wholly open without starting h5wasm
// (checked in fresh processes through h5wasmInstances()); anything else opens through h5wasm as
// before; a natively opened file whose values do not read natively gets h5wasm's answer (the
// same values, or the same code, message and details) through a child process.
import { appendFile, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { runChild } from "../../../test-utils/child.js";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { loadH5wasm } from "./h5wasm.js";
import { openH5 } from "./open-h5.js";
import type { H5File } from "./open-h5.js";
import { writeH5 } from "./write-h5.js";

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
type Inspectable = H5File & { readonly openedNatively: boolean };

let dir = "";
let plain = "";
let gzip = "";
let withGroup = "";

const IMAGE = { data: Float32Array.from({ length: 60 }, (_, i) => i * 0.25 - 3), shape: [5, 4, 3] };
const LABEL = { data: Uint8Array.from({ length: 48 }, (_, i) => i % 3 === 0 ? 1 : 0), shape: [2, 3, 4, 2] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-open-natively-"));
  plain = join(dir, "plain.h5");
  gzip = join(dir, "gzip.h5");
  await writeH5(plain, { image: IMAGE, label: LABEL });
  await writeH5(gzip, { image: IMAGE, label: LABEL }, { compression: "gzip" });
  withGroup = join(dir, "with-group.h5");
  const { h5 } = await loadH5wasm();
  const file = new h5.File(withGroup, "w");
  file.create_group("grp");
  file.create_dataset({ name: "vol", data: IMAGE.data, shape: IMAGE.shape });
  file.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const bytesOf = (data: Float32Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** Opens `path` both ways and expects the same keys, shapes, dtypes and values (all, and channel 1 of 4D). */
async function expectSameAsH5wasm(path: string): Promise<void> {
  const native = (await openH5(path)) as Inspectable;
  const wasm = await openH5(path, { native: false });
  try {
    expect(native.keys()).toEqual(wasm.keys());
    for (const key of wasm.keys()) {
      expect(native.shape(key)).toEqual(wasm.shape(key));
      expect(native.dtype(key)).toBe(wasm.dtype(key));
      expect(bytesOf(native.read(key).data).equals(bytesOf(wasm.read(key).data)), key).toBe(true);
      if (wasm.shape(key).length === 4) expect(bytesOf(native.read(key, { channel: 1 }).data).equals(bytesOf(wasm.read(key, { channel: 1 }).data)), key).toBe(true);
    }
  } finally {
    native.close();
    wasm.close();
  }
}

describe("openH5 without h5wasm", () => {
  it("openH5(writeH5 files, plain and gzip) in a fresh process: keys, shape, dtype, read and read({ channel }) with h5wasmInstances() still 0", async () => {
    const run = await runChild(
      `const { openH5, h5wasmInstances } = await import(${JSON.stringify(DIST)});
       const out = [];
       for (const path of ${JSON.stringify([plain, gzip])}) {
         const file = await openH5(path);
         out.push({ keys: file.keys(), shape: file.shape("label"), dtype: file.dtype("label"), image: Array.from(file.read("image").data), channel: Array.from(file.read("label", { channel: 1 }).data) });
         file.close();
       }
       console.log(JSON.stringify({ out, instances: h5wasmInstances() }));`,
    );
    expect(run.stderr).toBe("");
    const channel1 = Array.from({ length: 24 }, (_, i) => ((2 * i + 1) % 3 === 0 ? 1 : 0));
    const one = { keys: ["image", "label"], shape: [2, 3, 4, 2], dtype: "uint8", image: Array.from(IMAGE.data), channel: channel1 };
    expect(run.result).toEqual({ out: [one, one], instances: 0 });
  });

  it.skipIf(!DEEPREG_DATA)("openH5(each DeepReg .h5 of paired/unpaired/grouped) starts no h5wasm in a fresh process", async () => {
    const files = ["paired/train/moving_images.h5", "paired/train/fixed_labels.h5", "unpaired/test/images.h5", "grouped/train/labels.h5"].map((p) =>
      deepregPath("data", "test", "h5", ...p.split("/")),
    );
    const run = await runChild(
      `const { openH5, h5wasmInstances } = await import(${JSON.stringify(DIST)});
       let values = 0;
       for (const path of ${JSON.stringify(files)}) {
         const file = await openH5(path);
         for (const key of file.keys()) values += file.read(key).data.length;
         file.close();
       }
       console.log(JSON.stringify({ values: values > 0, instances: h5wasmInstances() }));`,
    );
    expect(run.stderr).toBe("");
    expect(run.result).toEqual({ values: true, instances: 0 });
  });

  it("openH5(a file with a group) opens through h5wasm (h5wasmInstances() 1) and still says NOT_A_DATASET", async () => {
    const run = await runChild(
      `const { openH5, h5wasmInstances } = await import(${JSON.stringify(DIST)});
       const file = await openH5(${JSON.stringify(withGroup)});
       let code;
       try { file.read("grp"); } catch (e) { code = e.code; }
       console.log(JSON.stringify({ keys: file.keys(), vol: file.read("vol").data.length, code, instances: h5wasmInstances() }));`,
    );
    expect(run.stderr).toBe("");
    expect(run.result).toEqual({ keys: ["grp", "vol"], vol: 60, code: "NOT_A_DATASET", instances: 1 });
  });

  it("openedNatively: writeH5 files yes; a group, or bytes after the end the superblock declares: no, and equal to h5wasm either way", async () => {
    const trailing = join(dir, "trailing.h5");
    await copyFile(gzip, trailing);
    await appendFile(trailing, Buffer.alloc(100, 7));
    const opened = async (path: string): Promise<boolean> => {
      const file = (await openH5(path)) as Inspectable;
      const natively = file.openedNatively;
      file.close();
      return natively;
    };
    expect(await opened(plain)).toBe(true);
    expect(await opened(gzip)).toBe(true);
    expect(await opened(withGroup)).toBe(false);
    expect(await opened(trailing)).toBe(false);
    for (const path of [plain, gzip, trailing]) await expectSameAsH5wasm(path);
  });

  it.skipIf(!DEEPREG_DATA)("openH5(DeepReg paired train .h5) natively equals h5wasm's keys, shapes, dtypes and values", async () => {
    for (const name of ["moving_images", "fixed_labels"]) {
      const path = deepregPath("data", "test", "h5", "paired", "train", `${name}.h5`);
      const file = (await openH5(path)) as Inspectable;
      expect(file.openedNatively).toBe(true);
      file.close();
      await expectSameAsH5wasm(path);
    }
  });
});

describe("a natively opened file whose values do not read natively: h5wasm answers", () => {
  /** `gzip` with its first deflate stream damaged in the middle. */
  async function damaged(name: string, damage: (bytes: Buffer, start: number) => void): Promise<string> {
    const bytes = await readFile(gzip);
    let start = -1;
    for (let i = bytes.indexOf(0x78); i >= 0 && start < 0; i = bytes.indexOf(0x78, i + 1)) {
      try {
        if (inflateSync(bytes.subarray(i)).length === 240) start = i;
      } catch {
        // not the image's stream
      }
    }
    expect(start).toBeGreaterThan(0);
    damage(bytes, start);
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it("read(key with a damaged deflate stream): the code, message and details h5wasm gives, opened natively", async () => {
    const path = await damaged("bad-stream.h5", (bytes, start) => bytes.fill(0xff, start + 4, start + 12));
    const errorOf = async (native: boolean): Promise<DeepRegLoaderError> => {
      const file = (await openH5(path, { native })) as Inspectable;
      expect(file.openedNatively).toBe(native);
      try {
        file.read("image");
      } catch (error) {
        return error as DeepRegLoaderError;
      } finally {
        file.close();
      }
      throw new Error("read did not fail");
    };
    const ours = await errorOf(true);
    const theirs = await errorOf(false);
    expect(ours).toBeInstanceOf(DeepRegLoaderError);
    expect({ code: ours.code, file: ours.file, message: ours.message, details: ours.details }).toEqual({
      code: theirs.code,
      file: theirs.file,
      message: theirs.message,
      details: theirs.details,
    });
    expect(ours.code).toBe("READ_FAILED");
    expect(ours.message).toMatch(new RegExp(`^${path}: cannot read dataset "image": `));
  });

  it.each([
    ["fewer", 200],
    ["more", 300],
  ])("read(key whose stream inflates to %s bytes than the chunk holds): the native read gives up, read() returns h5wasm's values", async (_, length) => {
    const stream = deflateSync(Buffer.alloc(length, 0x3f));
    const path = await damaged(`inflates-${length}.h5`, (bytes, start) => stream.copy(bytes, start));
    const file = (await openH5(path)) as Inspectable & { readNative(key: string): Float32Array | undefined };
    const wasm = await openH5(path, { native: false });
    try {
      expect(file.openedNatively).toBe(true);
      expect(file.readNative("image")).toBeUndefined();
      const theirs = wasm.read("image").data;
      expect(theirs[0]).toBeCloseTo(0.747, 3); // 0x3f3f3f3f as float32: h5wasm read the damaged stream
      expect(file.read("image").data).toEqual(theirs);
    } finally {
      file.close();
      wasm.close();
    }
  });
});
