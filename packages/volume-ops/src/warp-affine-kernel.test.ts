import { describe, expect, it } from "vitest";
import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { warpAffine, warpAffineInto } from "./warp-affine.js";
import { affineRowKernel } from "./warp-affine-wasm.js";
import { warpDdf } from "./warp-ddf.js";
import { gridOf, sampleChannels, sampleScalar } from "./zero-boundary.js";

/** A small seeded generator (mulberry32), so the thetas are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noisy(shape: number[], seed: number): Volume {
  const next = generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return createVolume(Float32Array.from({ length: size }, () => next()), shape);
}

/** warpAffine as the spec writes it: every location through the shared kernel, with its test. */
function reference(volume: Volume, theta: number[]): Float32Array {
  const [d1, d2, d3] = volume.shape as [number, number, number];
  const channels = volume.shape[3] ?? 1;
  const t = theta.map(Math.fround) as number[];
  const out = new Float32Array(volume.size);
  for (let i = 0, n = 0; i < d1; i++) {
    for (let j = 0; j < d2; j++) {
      const bx = i * t[0]! + j * t[3]! + t[9]!;
      const by = i * t[1]! + j * t[4]! + t[10]!;
      const bz = i * t[2]! + j * t[5]! + t[11]!;
      for (let k = 0; k < d3; k++, n++) {
        const x = Math.fround(bx + k * t[6]!);
        const y = Math.fround(by + k * t[7]!);
        const z = Math.fround(bz + k * t[8]!);
        if (channels === 1) out[n] = sampleScalar(volume.data, d1, d2, d3, x, y, z);
        else sampleChannels(volume.data, d1, d2, d3, channels, x, y, z, out, n * channels);
      }
    }
  }
  return out;
}

/** Bit-for-bit equality (+0 and -0 differ), with the first mismatch in the message. */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const first = a.findIndex((v, n) => v !== b[n]);
  expect(first === -1 ? "same" : `differs at ${first}: ${actual[first]} vs ${expected[first]}`).toBe("same");
}

/** Random thetas: near the identity (DeepReg's scale 0.1), strong shears and flips, mostly or fully outside. */
function thetas(seed: number, count: number, shape: number[]): number[][] {
  const next = generator(seed);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * next();
  const list: number[][] = [];
  for (let n = 0; n < count; n++) {
    const kind = n % 5;
    const d = Math.max(...shape);
    if (kind === 0) {
      list.push([1 + u(-0.1, 0.1), u(-0.1, 0.1), u(-0.1, 0.1), u(-0.1, 0.1), 1 + u(-0.1, 0.1), u(-0.1, 0.1), u(-0.1, 0.1), u(-0.1, 0.1), 1 + u(-0.1, 0.1), u(-2, 2), u(-2, 2), u(-2, 2)]);
    } else if (kind === 1) {
      list.push(Array.from({ length: 9 }, () => u(-1.5, 1.5)).concat([u(-d, d), u(-d, d), u(-d, d)]));
    } else if (kind === 2) {
      // Partly outside: a shift of about half the volume.
      list.push([1, u(-0.05, 0.05), 0, 0, 1, u(-0.05, 0.05), u(-0.05, 0.05), 0, -1, u(-d / 2, d / 2), u(-d / 2, d / 2), u(0, 2 * d)]);
    } else if (kind === 3) {
      // Fully outside.
      list.push([1, 0, 0, 0, 1, 0, 0, 0, 1, 3 * d, u(-1, 1), u(-1, 1)]);
    } else {
      // Tiny k-steps (about 1e-6 voxel) and integer steps (locations on the grid).
      list.push([1, 0, 0, 0, 1, 0, u(-1e-6, 1e-6), 1e-6, n % 2 === 0 ? 1 : 2, 0.5, u(0, 1), n % 2 === 0 ? 0 : -3]);
    }
  }
  return list;
}

/** warpAffine by its JavaScript loop only (no WebAssembly kernel). */
function warpAffineJs(volume: Volume, theta: number[]): Float32Array {
  const out = new Float32Array(volume.size);
  warpAffineInto(gridOf(volume, "test"), theta.map(Math.fround), out, "js");
  return out;
}

describe("warpAffine against the shared kernel", () => {
  it("has its WebAssembly SIMD kernel in Node 20 (so the tests below compare it, not only the JavaScript loop)", () => {
    expect(affineRowKernel(new Float32Array(8), 4)).not.toBeNull();
  });

  for (const shape of [[7, 9, 11], [5, 6, 17, 3], [1, 4, 4], [4, 1, 1], [12, 10, 30], [6, 5, 2], [3, 8, 1], [9, 7, 64]]) {
    it(`equals sampleScalar/sampleChannels bit for bit over random thetas, shape [${shape.join(", ")}], WebAssembly and JavaScript`, () => {
      const volume = noisy(shape, shape.length * 31 + (shape[0] as number));
      for (const theta of thetas(shape.reduce((a, b) => a + b, 0), 40, shape)) {
        const expected = reference(volume, theta);
        expectSameBits(warpAffine(volume, theta).data, expected);
        expectSameBits(warpAffineJs(volume, theta), expected);
      }
    });
  }

  it("gives the same values when the kernel's memory held a larger volume before (and after it grows again)", () => {
    const big = noisy([20, 24, 28], 11);
    const small = noisy([5, 7, 9], 12);
    const bigger = noisy([30, 24, 40], 13);
    const theta = [0.93, 0.03, -0.02, 0.02, 1.04, 0.01, -0.03, 0.02, 0.95, 1.3, -0.7, 0.9];
    for (const volume of [big, small, bigger, small, big]) {
      expectSameBits(warpAffine(volume, theta).data, reference(volume, theta));
    }
  });

  it("equals the shared kernel on values that stress float64 sums (large, tiny, negative, subnormal)", () => {
    const shape = [8, 9, 10];
    const next = generator(99);
    const values = [3.4e38, -3.4e38, 1e-45, -1e-40, 65504, -1, 0, 1e30];
    const volume = createVolume(Float32Array.from({ length: 720 }, () => values[Math.floor(next() * values.length)]!), shape);
    for (const theta of thetas(7, 20, shape)) {
      const expected = reference(volume, theta);
      expectSameBits(warpAffine(volume, theta).data, expected);
      expectSameBits(warpAffineJs(volume, theta), expected);
    }
  });

  it("writes into options.out (every element, stale values overwritten) and returns it", () => {
    const volume = noisy([6, 7, 8], 3);
    const theta = [0.9, 0.1, 0, -0.1, 1.1, 0.05, 0, 0, 1, 1.5, -2, 0.25];
    const out = new Float32Array(volume.size).fill(Number.NaN);
    const warped = warpAffine(volume, theta, { out });
    expect(warped.data).toBe(out);
    expectSameBits(out, reference(volume, theta));
  });

  it("refuses an out of the wrong length or sharing the input's buffer", () => {
    const volume = noisy([3, 4, 5], 4);
    const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];
    expect(() => warpAffine(volume, identity, { out: new Float32Array(59) })).toThrow(DeepRegLoaderError);
    expect(() => warpAffine(volume, identity, { out: volume.data })).toThrow(/must not share its buffer/);
  });
});

describe("warpDdf options.out", () => {
  it("gives the same values into out as into a new array", () => {
    const volume = noisy([4, 5, 6, 2], 5);
    const ddf = createVolume(Float32Array.from({ length: 4 * 5 * 6 * 3 }, (_, n) => Math.sin(n) * 1.5), [4, 5, 6, 3]);
    const out = new Float32Array(volume.size).fill(7);
    expect(warpDdf(volume, ddf, { out }).data).toBe(out);
    expectSameBits(out, warpDdf(volume, ddf).data);
    expect(() => warpDdf(volume, ddf, { out: new Float32Array(ddf.data.buffer, 0, volume.size) })).toThrow(/must not share its buffer/);
  });
});
