import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { resample } from "./resample.js";
import { warpDdf } from "./warp-ddf.js";

function noisy(shape: number[]): Volume {
  const size = shape.reduce((a, b) => a * b, 1);
  return createVolume(Float32Array.from({ length: size }, (_, n) => ((n * 7919) % 997) / 997), shape);
}

function constantField(shape: number[], d: [number, number, number]): Volume {
  const [d1, d2, d3] = shape as [number, number, number];
  const data = new Float32Array(d1 * d2 * d3 * 3);
  for (let n = 0; n < data.length; n++) data[n] = d[n % 3] as number;
  return createVolume(data, [d1, d2, d3, 3]);
}

describe("warpDdf", () => {
  it("warpDdf(v, zero field) = v with the index-0 faces zeroed", () => {
    const v = noisy([3, 4, 5]);
    const out = warpDdf(v, constantField([3, 4, 5], [0, 0, 0]));
    const expected: number[] = [];
    for (let i = 0, n = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++, n++) {
      expected.push(i === 0 || j === 0 || k === 0 ? 0 : (v.data[n] as number));
    }
    expect(out.shape).toEqual([3, 4, 5]);
    expect(Array.from(out.data)).toEqual(expected);
  });

  it("warpDdf(linear v, constant (-0.25, 0.5, 1)) shifts and zeroes outside (0, d - 1]", () => {
    const data = new Float32Array(60);
    for (let i = 0, n = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++, n++) data[n] = 100 * i + 10 * j + k;
    const out = warpDdf(createVolume(data, [3, 4, 5]), constantField([3, 4, 5], [-0.25, 0.5, 1]));
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) {
      // inside: 0 < i - 0.25 <= 2, 0 < j + 0.5 <= 3, 0 < k + 1 <= 4
      const inside = i >= 1 && j <= 2 && k <= 3;
      expected.push(inside ? 100 * (i - 0.25) + 10 * (j + 0.5) + (k + 1) : 0);
    }
    expect(Array.from(out.data)).toEqual(expected);
  });

  it("warpDdf(v, ddf) = resample(v, f32(grid + ddf)) for a varying field, 3D and 4D", () => {
    for (const shape of [[6, 5, 7], [5, 6, 4, 2]]) {
      const [d1, d2, d3] = shape as [number, number, number];
      const ddf = createVolume(Float32Array.from({ length: d1 * d2 * d3 * 3 }, (_, n) => Math.sin(n * 1.7) * 1.3), [d1, d2, d3, 3]);
      const loc = new Float32Array(ddf.data.length);
      for (let i = 0, n = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++, n += 3) {
        loc[n] = i + (ddf.data[n] as number);
        loc[n + 1] = j + (ddf.data[n + 1] as number);
        loc[n + 2] = k + (ddf.data[n + 2] as number);
      }
      const v = noisy(shape);
      const out = warpDdf(v, ddf);
      expect(out.shape).toEqual(shape);
      expect(Array.from(out.data)).toEqual(Array.from(resample(v, createVolume(loc, [d1, d2, d3, 3])).data));
      expect(out.data.some((x) => x !== 0)).toBe(true);
    }
  });

  it("warpDdf(v, ddf of another shape) throws SHAPE naming both shapes", () => {
    expect(() => warpDdf(noisy([3, 4, 5]), constantField([3, 5, 4], [0, 0, 0]))).toThrow(
      expect.objectContaining({ code: "SHAPE", message: expect.stringContaining("[3, 4, 5, 3]") }),
    );
  });
});
