import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { splitChannels, takeChannel } from "./take-channel.js";

/** [3, 2, 1, 3] label whose value at (i, j, 0, c) is 100 * c + 10 * i + j. */
function label(): ReturnType<typeof createVolume> {
  const data = new Float32Array(18);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) for (let c = 0; c < 3; c++) data[(i * 2 + j) * 3 + c] = 100 * c + 10 * i + j;
  return createVolume(data, [3, 2, 1, 3]);
}

describe("takeChannel", () => {
  it("takeChannel([3, 2, 1, 3], 0) = channel 0 as [3, 2, 1]", () => {
    const out = takeChannel(label(), 0);
    expect(out.shape).toEqual([3, 2, 1]);
    expect(Array.from(out.data)).toEqual([0, 1, 10, 11, 20, 21]);
  });

  it("takeChannel([3, 2, 1, 3], 2) = channel 2 as [3, 2, 1]", () => {
    expect(Array.from(takeChannel(label(), 2).data)).toEqual([200, 201, 210, 211, 220, 221]);
  });

  it("takeChannel([3, 2, 1, 1], 0) = the one channel as [3, 2, 1]", () => {
    const out = takeChannel(createVolume(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2, 1, 1]), 0);
    expect(out.shape).toEqual([3, 2, 1]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("takeChannel([2, 2, 1] 3D, 0) = a copy", () => {
    const input = createVolume(Float32Array.of(0, 0.5, 1, 0.25), [2, 2, 1]);
    const out = takeChannel(input, 0);
    expect(out.data).not.toBe(input.data);
    expect(out.shape).toEqual([2, 2, 1]);
    expect(Array.from(out.data)).toEqual([0, 0.5, 1, 0.25]);
  });

  it("takeChannel([2, 2, 1] 3D, 1) throws INVALID_ARGUMENT", () => {
    expect(() => takeChannel(createVolume(new Float32Array(4), [2, 2, 1]), 1)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("(1 channel)") }),
    );
  });

  it("takeChannel([3, 2, 1, 3], 3 | -1 | 1.5) throws INVALID_ARGUMENT", () => {
    for (const c of [3, -1, 1.5]) {
      expect(() => takeChannel(label(), c)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining(`channel ${c} is out of range`) }),
      );
    }
  });

  it("takeChannel([4, 5] 2D, 0) throws SHAPE", () => {
    expect(() => takeChannel(createVolume(new Float32Array(20), [4, 5]), 0)).toThrow(
      expect.objectContaining({ code: "SHAPE" }),
    );
  });
});

describe("splitChannels", () => {
  it("splitChannels([3, 2, 1, C]) = [takeChannel(label, c) for c < C], each over its own buffer, for C = 1..5", () => {
    for (let channels = 1; channels <= 5; channels++) {
      const data = Float32Array.from({ length: 6 * channels }, (_, i) => (i * 7919) % 101 / 100);
      const label = createVolume(data, [3, 2, 1, channels]);
      const parts = splitChannels(label);
      expect(parts.map((p) => p.shape)).toEqual(Array.from({ length: channels }, () => [3, 2, 1]));
      parts.forEach((p, c) => expect(Array.from(p.data)).toEqual(Array.from(takeChannel(label, c).data)));
      expect(new Set([data.buffer, ...parts.map((p) => p.data.buffer)]).size).toBe(channels + 1);
    }
  });

  it("splitChannels([2, 2, 1] 3D) = [a copy]", () => {
    const input = createVolume(Float32Array.of(0, 0.5, 1, 0.25), [2, 2, 1]);
    const [only, ...rest] = splitChannels(input);
    expect(rest).toEqual([]);
    expect(only!.data).not.toBe(input.data);
    expect(Array.from(only!.data)).toEqual([0, 0.5, 1, 0.25]);
  });

  it("splitChannels([4, 5]) throws SHAPE", () => {
    expect(() => splitChannels(createVolume(new Float32Array(20), [4, 5]))).toThrow(expect.objectContaining({ code: "SHAPE" }));
  });
});
