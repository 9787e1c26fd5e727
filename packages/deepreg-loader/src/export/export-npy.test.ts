import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDeepRegLoaderError } from "@deepreg-loader/core";
import { PYTHON, runPython } from "../../../../test-utils/python.js";
import { encodeNpy, writeNpy } from "./export-npy.js";

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);

describe("encodeNpy", () => {
  it("encodeNpy(ramp(60), [5, 4, 3]) header", () => {
    const bytes = encodeNpy(ramp(60), [5, 4, 3]);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 4, 3), }");
    expect(header.endsWith(" \n")).toBe(true);
    expect(bytes.length).toBe(10 + headerLength + 60 * 4);
    const data = new DataView(bytes.buffer, 10 + headerLength);
    expect(data.getFloat32(0, true)).toBe(-3);
    expect(data.getFloat32(59 * 4, true)).toBe(26.5);
  });

  it("encodeNpy(ramp(5), [5]) writes a one-element tuple", () => {
    const text = new TextDecoder().decode(encodeNpy(ramp(5), [5]).subarray(10, 80));
    expect(text).toContain("'shape': (5,), }");
  });

  it("encodeNpy(ramp(6), [5]) throws SHAPE", () => {
    let error: unknown;
    try {
      encodeNpy(ramp(6), [5]);
    } catch (e) {
      error = e;
    }
    expect(isDeepRegLoaderError(error, "SHAPE")).toBe(true);
  });
});

describe.skipIf(!PYTHON)("writeNpy read back by numpy", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writeNpy(path, ramp(60), [5, 4, 3]) equals np.arange(60) * 0.5 - 3 reshaped", async () => {
    const path = join(dir, "a.npy");
    await writeNpy(path, ramp(60), [5, 4, 3]);
    const out = runPython(
      [
        "import sys, numpy as np",
        "a = np.load(sys.argv[1])",
        "ref = (np.arange(60, dtype=np.float32) * 0.5 - 3).reshape(5, 4, 3)",
        "print(a.dtype.str, a.shape, a.flags['C_CONTIGUOUS'], bool((a == ref).all()), a[4, 1, 2])",
      ].join("\n"),
      [path],
    );
    expect(out.trim()).toBe("<f4 (5, 4, 3) True True 23.5");
    expect((await readFile(path)).length).toBe(128 + 240);
  });
});
