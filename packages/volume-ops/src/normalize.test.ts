import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { EPS, normalize } from "./normalize.js";

describe("normalize", () => {
  it("EPS = 1e-5", () => {
    expect(EPS).toBe(1e-5);
  });

  it("normalize([3, 7.25, 1.5, 100.125, 0.1]) equals numpy's float32 result bit for bit", () => {
    // Printed by numpy 2.4 for a float32 array: (a - a.min() + 1e-5) / (a.max() - a.min() + 1e-5).
    const input = createVolume(Float32Array.of(3, 7.25, 1.5, 100.125, 0.1), [5]);
    const out = normalize(input);
    expect(out.shape).toEqual([5]);
    expect(Array.from(out.data)).toEqual([
      0.028992850333452225, 0.07148222625255585, 0.013996599242091179, 1, 9.997499716973834e-8,
    ]);
  });

  it("normalize([0, 255]) = [EPS / (255 + EPS), 1] in float32", () => {
    const out = normalize(createVolume(Float32Array.of(0, 255), [1, 2, 1]));
    const eps = Math.fround(1e-5);
    expect(Array.from(out.data)).toEqual([Math.fround(eps / Math.fround(255 + eps)), 1]);
    expect(out.shape).toEqual([1, 2, 1]);
  });

  it("normalize(constant 7, [2, 3, 2]) = all ones", () => {
    const out = normalize(createVolume(new Float32Array(12).fill(7), [2, 3, 2]));
    expect(Array.from(out.data)).toEqual(new Array(12).fill(1));
  });

  it("normalize(v) leaves v unchanged and returns a new volume", () => {
    const input = createVolume(Float32Array.of(-2, 0, 6), [3, 1, 1]);
    const out = normalize(input);
    expect(Array.from(input.data)).toEqual([-2, 0, 6]);
    expect(out.data).not.toBe(input.data);
    expect(Array.from(out.data)).toEqual([
      Math.fround(Math.fround(1e-5) / Math.fround(8 + Math.fround(1e-5))),
      Math.fround(Math.fround(2 + Math.fround(1e-5)) / Math.fround(8 + Math.fround(1e-5))),
      1,
    ]);
  });

  it("normalize(v with NaN) throws VALUE_RANGE", () => {
    expect(() => normalize(createVolume(Float32Array.of(1, Number.NaN, 3), [3]))).toThrow(
      expect.objectContaining({ code: "VALUE_RANGE", message: expect.stringContaining("non-finite") }),
    );
  });

  it("normalize(v with -Infinity) throws VALUE_RANGE", () => {
    expect(() => normalize(createVolume(Float32Array.of(1, -Infinity, 3), [3]))).toThrow(
      expect.objectContaining({ code: "VALUE_RANGE", message: expect.stringContaining("min -Infinity max 3") }),
    );
  });

  it("normalize(empty [0, 3]) throws SHAPE", () => {
    expect(() => normalize(createVolume(new Float32Array(0), [0, 3]))).toThrow(
      expect.objectContaining({ code: "SHAPE" }),
    );
  });
});

describe.skipIf(!PYTHON)("normalize against numpy", () => {
  it("normalize([5, 4, 3] mixed-sign values) equals numpy float32 bit for bit", () => {
    const data = Float32Array.from({ length: 60 }, (_, i) => ((i * 7919) % 211) / 3 - 20.5 + i * 1e-3);
    const script = [
      "import sys, numpy as np",
      "a = np.array([float(x) for x in sys.argv[1].split(',')], dtype=np.float32)",
      "r = (a - np.min(a) + 1e-5) / (np.max(a) - np.min(a) + 1e-5)",
      "assert r.dtype == np.float32",
      "print(','.join(repr(float(x)) for x in r))",
    ].join("\n");
    const expected = runPython(script, [Array.from(data).join(",")]).trim().split(",").map(Number);
    expect(Array.from(normalize(createVolume(data, [5, 4, 3])).data)).toEqual(expected);
  });
});

describe("normalize options", () => {
  const values = Float32Array.of(-2, 0, 6, 3.5, -1.25, 6);

  it("normalize(v, { out: v.data }) normalises in place, equal to normalize(v)", () => {
    const expected = Array.from(normalize(createVolume(values.slice(), [2, 3])).data);
    const input = createVolume(values.slice(), [2, 3]);
    const out = normalize(input, { out: input.data });
    expect(out.data).toBe(input.data);
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.data)).toEqual(expected);
  });

  it("normalize(v, { range: { min: -2, max: 6 } }) equals normalize(v) without scanning", () => {
    const expected = Array.from(normalize(createVolume(values.slice(), [6])).data);
    expect(Array.from(normalize(createVolume(values.slice(), [6]), { range: { min: -2, max: 6 } }).data)).toEqual(expected);
  });

  it("normalize(v, { range: { min: -2, max: 12 } }) uses the given range", () => {
    const eps = Math.fround(1e-5);
    const out = normalize(createVolume(Float32Array.of(-2, 12), [2]), { range: { min: -2, max: 12 } });
    expect(Array.from(out.data)).toEqual([Math.fround(eps / Math.fround(14 + eps)), 1]);
  });

  it("normalize(v, { range: { min: NaN, max: 1 } }) throws VALUE_RANGE", () => {
    expect(() => normalize(createVolume(Float32Array.of(0, 1), [2]), { range: { min: Number.NaN, max: 1 } })).toThrow(
      expect.objectContaining({ code: "VALUE_RANGE" }),
    );
  });

  it("normalize(6 values, { out: Float32Array(5) }) throws INVALID_ARGUMENT", () => {
    expect(() => normalize(createVolume(values.slice(), [6]), { out: new Float32Array(5) })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("5 elements, expected 6") }),
    );
  });
});
