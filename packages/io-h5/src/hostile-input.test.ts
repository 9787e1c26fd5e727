// Hostile HDF5 files (issue 12): size checked from the declared shape before any read, no
// output from h5wasm ever, damaged name tables refused, a wasm trap survived. Fixtures in
// ../fixtures were made by fixtures/make-fixtures.py (h5py); the others by h5wasm here.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild } from "../../../test-utils/child.js";
import { loadH5wasm } from "./h5wasm.js";
import { openH5 } from "./open-h5.js";
import { writeH5 } from "./write-h5.js";

const MiB = 2 ** 20;
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const H5WASM = import.meta.resolve("h5wasm/node");

let dir = "";
let grown = "";
let ramp = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-"));
  // A chunked 1^3 dataset resized to 900^3: one chunk written, the rest never.
  grown = join(dir, "grown.h5");
  const { h5 } = await loadH5wasm();
  const file = new h5.File(grown, "w");
  const ds = file.create_dataset({ name: "x", data: new Uint8Array(1), shape: [1, 1, 1], dtype: "<B", maxshape: [null, null, null], chunks: [64, 64, 64] });
  ds.resize([900, 900, 900]);
  file.create_dataset({ name: "small", data: new Uint8Array(1), shape: [1, 1, 1], dtype: "<B", maxshape: [null, null, null], chunks: [8, 8, 8] });
  (file.get("small") as typeof ds).resize([20, 30, 40]);
  file.close();
  ramp = join(dir, "ramp.h5");
  await writeH5(ramp, { a: { data: Float32Array.from({ length: 24 }, (_, i) => i * 0.5), shape: [2, 3, 4] } });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("maxBytes: checked from the declared shape before any read", () => {
  it.each([
    ["unwritten-900.h5 (1,400 bytes, h5py)", () => fixture("unwritten-900.h5")],
    ["grown.h5 (h5wasm, resized)", () => grown],
  ])("read(900^3 uint8 never written) in %s is TOO_LARGE in under a second", async (_, path) => {
    const file = await openH5(path());
    const started = performance.now();
    expect(() => file.read("x")).toThrow(
      expect.objectContaining({
        code: "TOO_LARGE",
        file: path(),
        message: `${path()}: dataset "x" declares shape [900, 900, 900] (2916000000 bytes as float32); the limit is 2147483648 bytes (maxBytes)`,
      }),
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(file.shape("x")).toEqual([900, 900, 900]); // metadata still answers
    file.close();
  });

  it("openH5(path, { maxBytes }) applies to read and to read({ channel })", async () => {
    const file = await openH5(grown, { maxBytes: 20 * 30 * 40 * 4 });
    const small = file.read("small"); // unwritten chunks read as the fill value
    expect(small.shape).toEqual([20, 30, 40]);
    expect(small.data.every((v) => v === 0)).toBe(true);
    file.close();
    const tight = await openH5(grown, { maxBytes: 20 * 30 * 40 * 4 - 1 });
    expect(() => tight.read("small")).toThrow(expect.objectContaining({ code: "TOO_LARGE" }));
    tight.close();
    await expect(openH5(grown, { maxBytes: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("a child reading the 900^3 fixture: TOO_LARGE, peak growth < 48 MiB, nothing on stderr", async () => {
    const run = await runChild(
      `const { openH5 } = await import(${JSON.stringify(DIST)});
       const file = await openH5(${JSON.stringify(fixture("unwritten-900.h5"))});
       const before = peak();
       let code;
       try { file.read("x"); } catch (e) { code = e.code; }
       console.log(JSON.stringify({ code, growth: peak().maxRss - before.rss }));`,
    );
    expect(run.stderr).toBe("");
    expect(run.result).toMatchObject({ code: "TOO_LARGE" });
    expect((run.result as { growth: number }).growth).toBeLessThan(48 * MiB);
  });
});

describe("damaged name tables", () => {
  it("openH5(a file with a name that is not UTF-8) is READ_FAILED naming the file", async () => {
    const path = fixture("bad-utf8-name.h5");
    await expect(openH5(path)).rejects.toMatchObject({
      code: "READ_FAILED",
      file: path,
      message: `${path}: the file has top-level names that are not valid UTF-8 (decoded as "bad\\udfba\\udfa1me"); HDF5 names must be UTF-8 (or ASCII)`,
    });
  });

  it("openH5(a file listing one name twice) is READ_FAILED naming the file and the name", async () => {
    const path = fixture("duplicate-name.h5");
    await expect(openH5(path)).rejects.toMatchObject({
      code: "READ_FAILED",
      file: path,
      message: `${path}: the file lists the name "keyA" more than once; its link table is damaged`,
    });
  });

  it("a child opening both: nothing on stdout or stderr but its own line", async () => {
    const run = await runChild(
      `const { openH5 } = await import(${JSON.stringify(DIST)});
       const codes = [];
       for (const p of ${JSON.stringify([fixture("bad-utf8-name.h5"), fixture("duplicate-name.h5")])}) {
         try { await openH5(p); codes.push("ok"); } catch (e) { codes.push(e.code); }
       }
       console.log(JSON.stringify(codes));`,
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe('["READ_FAILED","READ_FAILED"]\n');
  });
});

describe("a WebAssembly trap", () => {
  it("is READ_FAILED naming the file and key; files reopened afterwards read (child, real trap, h5wasm read path)", async () => {
    // The trap is real: h5wasm's own `_free` on a wild pointer, called while reading.
    const run = await runChild(
      `const { openH5 } = await import(${JSON.stringify(DIST)});
       const h5wasm = await import(${JSON.stringify(H5WASM)});
       const path = ${JSON.stringify(ramp)};
       const file = await openH5(path, { native: false }); // the trap is in h5wasm's read
       const value = Object.getOwnPropertyDescriptor(h5wasm.Dataset.prototype, "value");
       Object.defineProperty(h5wasm.Dataset.prototype, "value", {
         configurable: true,
         get() { h5wasm.Module._free(123456789); return value.get.call(this); },
       });
       const out = {};
       try { file.read("a"); out.first = "no error"; } catch (e) { out.first = { code: e.code, message: e.message, cause: e.cause?.constructor?.name }; }
       try { file.read("a"); out.again = "no error"; } catch (e) { out.again = { code: e.code, message: e.message }; }
       file.close();
       const fresh = await openH5(path);
       out.fresh = Array.from(fresh.read("a").data);
       out.keys = fresh.keys();
       fresh.close();
       console.log(JSON.stringify(out));`,
    );
    expect(run.stderr).toBe("");
    expect(run.result).toEqual({
      first: {
        code: "READ_FAILED",
        message: `${ramp}: the HDF5 library crashed reading dataset "a" (memory access out of bounds); the file is damaged`,
        cause: "RuntimeError",
      },
      again: {
        code: "READ_FAILED",
        message: `${ramp}: the HDF5 library crashed on an earlier read and was restarted; open the file again`,
      },
      fresh: Array.from({ length: 24 }, (_, i) => i * 0.5),
      keys: ["a"],
    });
  });
});
