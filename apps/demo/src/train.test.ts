import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { warp } from "./phantom.js";
import { initTf, warpTf } from "./train.js";

describe("warpTf", () => {
  beforeAll(initTf);
  // 3x2x2 ramp: value = 100 i + 10 j + k; a displacement that varies per voxel.
  const shape: [number, number, number] = [3, 2, 2];
  const volume = Float32Array.from({ length: 12 }, (_, v) => 100 * Math.floor(v / 4) + 10 * (Math.floor(v / 2) % 2) + (v % 2));
  const ddf = Float32Array.from({ length: 36 }, (_, i) => [0.5, -0.25, 0.75][i % 3]! * ((i % 5) / 4));

  it("warpTf(ramp [1, 3, 2, 2, 1], ddf) equals phantom warp (trilinear, edge clamped)", () => {
    const out = tf.tidy(() =>
      warpTf(tf.tensor5d(volume, [1, ...shape, 1]), tf.tensor5d(ddf, [1, ...shape, 3])).dataSync(),
    );
    const expected = warp(volume, shape, 1, ddf);
    expect(Array.from(out).map((v) => Math.round(v * 1e3) / 1e3)).toEqual(Array.from(expected).map((v) => Math.round(v * 1e3) / 1e3));
  });

  it("warpTf has a gradient with respect to the displacement", () => {
    const grad = tf.tidy(() => {
      const f = (d: tf.Tensor) => tf.sum(warpTf(tf.tensor5d(volume, [1, ...shape, 1]), d as tf.Tensor5D));
      return tf.grad(f)(tf.zeros([1, ...shape, 3])).dataSync();
    });
    // d/d(ddf_axis0) of the ramp is 100 per voxel inside (clamped at i = 2 the forward difference is 0).
    expect(grad[0]).toBeCloseTo(100, 3);
    expect(grad[8 * 3]).toBeCloseTo(0, 3);
  });
});
