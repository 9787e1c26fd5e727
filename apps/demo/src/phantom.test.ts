import { describe, expect, it } from "vitest";
import { phantomPair, warp } from "./phantom.js";
import { seeded } from "./random.js";

describe("warp", () => {
  // 3x2x2 ramp, one channel: value = 100 i + 10 j + k.
  const shape: [number, number, number] = [3, 2, 2];
  const volume = Float32Array.from({ length: 12 }, (_, v) => 100 * Math.floor(v / 4) + 10 * (Math.floor(v / 2) % 2) + (v % 2));

  it("warp(ramp [3, 2, 2], ddf = 0) is the identity", () => {
    expect(Array.from(warp(volume, shape, 1, new Float32Array(36)))).toEqual(Array.from(volume));
  });

  it("warp(ramp [3, 2, 2], ddf = [0.5, 0, 0]) samples halfway along axis 0, clamped at the edge", () => {
    const ddf = new Float32Array(36);
    for (let v = 0; v < 12; v++) ddf[v * 3] = 0.5;
    expect(Array.from(warp(volume, shape, 1, ddf))).toEqual([50, 51, 60, 61, 150, 151, 160, 161, 200, 201, 210, 211]);
  });
});

describe("phantomPair", () => {
  it("phantomPair(seeded(3), [6, 5, 4]): binary 2-channel labels, same seed gives the same pair", () => {
    const a = phantomPair(seeded(3), [6, 5, 4]);
    const b = phantomPair(seeded(3), [6, 5, 4]);
    expect(a.fixed.label.length).toBe(6 * 5 * 4 * 2);
    expect(a.moving.label.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Array.from(a.moving.image)).toEqual(Array.from(b.moving.image));
    expect(Array.from(a.moving.image)).not.toEqual(Array.from(a.fixed.image));
  });
});
