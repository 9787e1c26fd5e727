import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { resample } from "./resample.js";
import { warpAffine } from "./warp-affine.js";

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];

/** `[3, 4, 5]` of pseudo-random values in [0, 1) (not linear, so axis mix-ups show). */
function noisy(shape: number[] = [3, 4, 5]): Volume {
  const size = shape.reduce((a, b) => a * b, 1);
  return createVolume(Float32Array.from({ length: size }, (_, n) => ((n * 7919) % 997) / 997), shape);
}

/** The volume with every voxel that has an index 0 on any axis set to 0. */
function zeroFaces(v: Volume): number[] {
  const [d1, d2, d3] = v.shape as [number, number, number];
  const c = v.shape[3] ?? 1;
  const out: number[] = [];
  for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) for (let ch = 0; ch < c; ch++) {
    out.push(i === 0 || j === 0 || k === 0 ? 0 : (v.data[((i * d2 + j) * d3 + k) * c + ch] as number));
  }
  return out;
}

/** The affine locations as the spec defines them, float32: `(i, j, k, 1) @ f32(theta)`. */
function affineLocations(shape: number[], theta: number[]): Volume {
  const [d1, d2, d3] = shape as [number, number, number];
  const t = theta.map(Math.fround);
  const loc = new Float32Array(d1 * d2 * d3 * 3);
  let n = 0;
  for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) {
    for (let c = 0; c < 3; c++) loc[n++] = i * (t[c] as number) + j * (t[3 + c] as number) + (t[9 + c] as number) + k * (t[6 + c] as number);
  }
  return createVolume(loc, [d1, d2, d3, 3]);
}

describe("warpAffine", () => {
  it("warpAffine(v, identity) = v with the index-0 faces zeroed", () => {
    const v = noisy();
    const out = warpAffine(v, IDENTITY);
    expect(out.shape).toEqual([3, 4, 5]);
    expect(Array.from(out.data)).toEqual(zeroFaces(v));
  });

  it("warpAffine([3, 4, 5, 2], identity) zeroes the faces of every channel", () => {
    const v = noisy([3, 4, 5, 2]);
    const out = warpAffine(v, IDENTITY);
    expect(out.shape).toEqual([3, 4, 5, 2]);
    expect(Array.from(out.data)).toEqual(zeroFaces(v));
  });

  it("warpAffine(linear v, translation (0.5, -1, 0)) shifts and zeroes outside (0, d - 1]", () => {
    // v = 100 i + 10 j + k; loc = (i + 0.5, j - 1, k): inside when i <= 1, j >= 2, k >= 1.
    const data = new Float32Array(60);
    for (let i = 0, n = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++, n++) data[n] = 100 * i + 10 * j + k;
    const out = warpAffine(createVolume(data, [3, 4, 5]), [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, -1, 0]);
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) {
      expected.push(i <= 1 && j >= 2 && k >= 1 ? 100 * (i + 0.5) + 10 * (j - 1) + k : 0);
    }
    expect(Array.from(out.data)).toEqual(expected);
  });

  it("warpAffine(v, axis swap) reads v[k, j, i] (theta rows are input axes)", () => {
    // loc = (i, j, k) @ theta with theta mapping i -> z and k -> x: loc = (k, j, i).
    const v = noisy([4, 3, 4]);
    const theta = [0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0];
    const out = warpAffine(v, theta);
    for (const [i, j, k] of [[1, 1, 2], [3, 2, 1], [2, 1, 3]] as const) {
      expect(out.get(i, j, k)).toBe(v.get(k, j, i));
    }
    expect(out.get(0, 1, 2)).toBe(0);
  });

  it("warpAffine(v, theta) = resample(v, (i, j, k, 1) @ f32(theta)) for a general theta", () => {
    const shapes = [[9, 7, 8], [6, 5, 7, 3]];
    const theta = [0.93, 0.05, -0.02, -0.04, 0.97, 0.03, 0.02, -0.06, 0.91, 0.7, -0.3, 0.45];
    for (const shape of shapes) {
      const v = noisy(shape);
      const out = warpAffine(v, theta);
      const ref = resample(v, affineLocations(shape, theta));
      expect(out.shape).toEqual(shape);
      expect(Array.from(out.data)).toEqual(Array.from(ref.data));
      expect(out.data.some((x) => x !== 0)).toBe(true);
    }
  });

  it("warpAffine(v, theta) rounds theta to float32 like DeepReg's cast", () => {
    const v = noisy([5, 6, 7]);
    const theta = [0.9 + 1e-12, 0.05, 0, 0, 1, 0, 0, 0, 1, 0.3, 0.1, 0.2];
    expect(Array.from(warpAffine(v, theta).data)).toEqual(Array.from(warpAffine(v, theta.map(Math.fround)).data));
  });

  it("warpAffine(v, Float64Array theta) accepts any array-like of 12 numbers", () => {
    const v = noisy();
    expect(Array.from(warpAffine(v, Float64Array.from(IDENTITY)).data)).toEqual(zeroFaces(v));
  });

  it("warpAffine(v, theta) leaves v unchanged", () => {
    const v = noisy();
    const before = Array.from(v.data);
    warpAffine(v, [0.9, 0, 0, 0, 0.9, 0, 0, 0, 0.9, 0.1, 0.1, 0.1]);
    expect(Array.from(v.data)).toEqual(before);
  });

  it("warpAffine(v, 11 numbers or NaN) throws INVALID_ARGUMENT", () => {
    expect(() => warpAffine(noisy(), IDENTITY.slice(1))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("found 11 values") }),
    );
    expect(() => warpAffine(noisy(), [...IDENTITY.slice(1), Number.NaN])).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("non-finite") }),
    );
  });

  it("warpAffine(2D volume, theta) throws SHAPE", () => {
    expect(() => warpAffine(createVolume(new Float32Array(6), [2, 3]), IDENTITY)).toThrow(
      expect.objectContaining({ code: "SHAPE" }),
    );
  });
});
