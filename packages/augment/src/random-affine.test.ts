import { describe, expect, it } from "vitest";
import { randomFor } from "@deepreg-loader/samplers";
import { affineFromNoise } from "./affine-from-noise.js";
import { randomAffine } from "./random-affine.js";
import { scripted } from "./test-helpers.js";

describe("randomAffine", () => {
  it("randomAffine(random, { scale: 0.2 }) draws 12 numbers, noise = 0.8 + 0.2 u, row-major", () => {
    const u = [0, 0.5, 0.25, 0.75, 0.1, 0.9, 0.3, 0.6, 0.2, 0.4, 0.8, 0.05];
    const random = scripted(u);
    const record = randomAffine(random, { scale: 0.2 });
    expect(random.draws()).toBe(12);
    expect(record).toEqual({ name: "affine", theta: affineFromNoise(u.map((x) => 1 - 0.2 + 0.2 * x)) });
  });

  it("randomAffine(random) uses DeepReg's default scale 0.1", () => {
    const u = new Array(12).fill(0);
    expect(randomAffine(scripted(u)).theta).toEqual(affineFromNoise(new Array(12).fill(0.9)));
  });

  it("randomAffine(random, { scale: 0 }) is the identity", () => {
    expect(randomAffine(randomFor(1, "a"), { scale: 0 }).theta).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it("randomAffine(seeded) is reproducible and differs between seeds", () => {
    const a = randomAffine(randomFor(7, 0, "augment"));
    expect(randomAffine(randomFor(7, 0, "augment"))).toEqual(a);
    expect(randomAffine(randomFor(7, 1, "augment"))).not.toEqual(a);
  });

  it.each([-0.1, 1.5, Number.NaN])("randomAffine(random, { scale: %d }) throws INVALID_ARGUMENT", (scale) => {
    expect(() => randomAffine(scripted([]), { scale })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
