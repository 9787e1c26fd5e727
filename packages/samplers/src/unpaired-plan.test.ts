import { describe, expect, it } from "vitest";
import { unpairedPlan } from "./unpaired-plan.js";
import { expectError } from "./test-helpers.js";

describe("unpairedPlan", () => {
  it("unpairedPlan(7 | 8, { seed: 42, epoch: 0 })", () => {
    expect(unpairedPlan(7, { seed: 42, epoch: 0 })).toEqual([
      [5, 0],
      [1, 6],
      [4, 2],
    ]);
    expect(unpairedPlan(8, { seed: 42, epoch: 0 })).toEqual([
      [6, 2],
      [0, 1],
      [7, 5],
      [3, 4],
    ]);
  });

  it("unpairedPlan(5, { shuffle: false }) pairs consecutive indices", () => {
    expect(unpairedPlan(5, { seed: 1, epoch: 0, shuffle: false })).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it("unpairedPlan(0 | 1, ...) is empty", () => {
    expect(unpairedPlan(0, { seed: 1, epoch: 0 })).toEqual([]);
    expect(unpairedPlan(1, { seed: 1, epoch: 0 })).toEqual([]);
  });

  it("unpairedPlan(n, ...) has floor(n/2) disjoint pairs of distinct images, n = 0..40, seeds 0..4", () => {
    for (let n = 0; n <= 40; n++) {
      for (let seed = 0; seed < 5; seed++) {
        const plan = unpairedPlan(n, { seed, epoch: n });
        expect(plan.length).toBe(Math.floor(n / 2));
        const used = plan.flat();
        expect(new Set(used).size).toBe(used.length);
        expect(used.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
      }
    }
  });

  it("unpairedPlan(n, ...) is the same on every call and differs between epochs 0 and 1 (n = 3..20)", () => {
    expect(unpairedPlan(9, { seed: 3, epoch: 4 })).toEqual(unpairedPlan(9, { seed: 3, epoch: 4 }));
    for (let n = 3; n <= 20; n++) {
      expect(unpairedPlan(n, { seed: 42, epoch: 0 })).not.toEqual(unpairedPlan(n, { seed: 42, epoch: 1 }));
    }
  });

  it("unpairedPlan(bad arguments) throws INVALID_ARGUMENT", () => {
    expectError(
      () => unpairedPlan(-2, { seed: 1, epoch: 0 }),
      "INVALID_ARGUMENT",
      "numImages must be an integer >= 0, found -2",
    );
    expectError(
      () => unpairedPlan(4, { seed: 1, epoch: 0.5 }),
      "INVALID_ARGUMENT",
      "epoch must be an integer >= 0, found 0.5",
    );
  });
});
