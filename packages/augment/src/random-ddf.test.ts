import { describe, expect, it } from "vitest";
import { randomFor } from "@deepreg-loader/samplers";
import { randomDdf } from "./random-ddf.js";
import { randomNormal } from "./random-normal.js";
import { scripted } from "./test-helpers.js";

describe("randomNormal", () => {
  it("randomNormal(u1 = 0.5, u2 = 0) = sqrt(2 ln 2); (u1 = 0, u2 = x) = 0", () => {
    expect(randomNormal(scripted([0.5, 0]))).toBe(Math.sqrt(2 * Math.log(2)));
    expect(randomNormal(scripted([0, 0.3]))).toBe(0);
  });

  it("randomNormal(seeded) over 20000 draws has mean ~0 and variance ~1", () => {
    const random = randomFor(3, "normal");
    const xs = Array.from({ length: 20000 }, () => randomNormal(random));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });
});

describe("randomDdf", () => {
  it("randomDdf(random, [4, 5, 6]) draws 3 strengths then 2 per normal, [1, 1, 1] by default", () => {
    const random = scripted([0.5, 0.25, 1 - 2 ** -53, 0.5, 0, 0.5, 0.5, 0.5, 0.25]);
    const record = randomDdf(random, [4, 5, 6]);
    expect(random.draws()).toBe(9);
    const n = Math.sqrt(2 * Math.log(2));
    expect(record).toEqual({
      name: "ddf",
      lowResShape: [1, 1, 1],
      lowResField: [0.5 * n, 0.25 * -n, (1 - 2 ** -53) * n * Math.cos(Math.PI / 2)],
    });
  });

  it("randomDdf(random, shape, { fieldStrength: 4, lowResSize: [2, 1, 3] }) scales component c by strength c", () => {
    const values = [0.5, 0.25, 0.75, ...Array.from({ length: 36 }, (_, i) => ((i * 37) % 100) / 100)];
    const record = randomDdf(scripted(values), [4, 5, 6], { fieldStrength: 4, lowResSize: [2, 1, 3] });
    expect(record.lowResShape).toEqual([2, 1, 3]);
    expect(record.lowResField).toHaveLength(18);
    const strength = [2, 1, 3];
    const normals = scripted(values.slice(3));
    record.lowResField.forEach((v, n) => expect(v).toBe((strength[n % 3] as number) * randomNormal(normals)));
  });

  it("randomDdf(random, shape, { fieldStrength: 0 }) is a zero field", () => {
    const record = randomDdf(randomFor(1, "d"), [3, 3, 3], { fieldStrength: 0, lowResSize: [2, 2, 2] });
    expect(record.lowResField.every((v) => v === 0)).toBe(true);
    expect(record.lowResField).toHaveLength(24);
  });

  it("randomDdf(random, [4, 5, 6], { lowResSize: [5, 1, 1] }) throws INVALID_ARGUMENT (larger than the image)", () => {
    expect(() => randomDdf(scripted([]), [4, 5, 6], { lowResSize: [5, 1, 1] })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("exceeds the image shape [4, 5, 6]") }),
    );
  });

  it("randomDdf(random, shape, bad options) throws INVALID_ARGUMENT", () => {
    expect(() => randomDdf(scripted([]), [4, 5, 6], { fieldStrength: -1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => randomDdf(scripted([]), [4, 5, 6], { lowResSize: [0, 1, 1] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => randomDdf(scripted([]), [4, 5, 6], { lowResSize: [1.5, 1, 1] })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
