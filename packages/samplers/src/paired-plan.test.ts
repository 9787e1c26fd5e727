import { describe, expect, it } from "vitest";
import { pairedPlan } from "./paired-plan.js";
import { expectError, range } from "./test-helpers.js";

describe("pairedPlan", () => {
  it("pairedPlan(7, { seed: 42, epoch: 0 }) and epoch 1", () => {
    expect(pairedPlan(7, { seed: 42, epoch: 0 })).toEqual([[5], [0], [1], [6], [4], [2], [3]]);
    expect(pairedPlan(7, { seed: 42, epoch: 1 })).toEqual([[6], [1], [3], [5], [4], [2], [0]]);
  });

  it("pairedPlan(5, { seed: 0 | 1, epoch: 0 }) differ by seed", () => {
    expect(pairedPlan(5, { seed: 0, epoch: 0 })).toEqual([[4], [2], [3], [1], [0]]);
    expect(pairedPlan(5, { seed: 1, epoch: 0 })).toEqual([[4], [1], [3], [2], [0]]);
  });

  it("pairedPlan(4, { shuffle: false }) is the identity order", () => {
    expect(pairedPlan(4, { seed: 42, epoch: 3, shuffle: false })).toEqual([[0], [1], [2], [3]]);
  });

  it("pairedPlan(n, ...) holds each index once, for n = 0..30", () => {
    for (let n = 0; n <= 30; n++) {
      const plan = pairedPlan(n, { seed: n, epoch: 2 });
      expect(plan.map(([i]) => i).sort((a, b) => (a as number) - (b as number))).toEqual(range(n));
      expect(plan.every((v) => v.length === 1)).toBe(true);
    }
  });

  it("pairedPlan(n, { seed: 42, epoch }) is the same on every call", () => {
    expect(pairedPlan(20, { seed: 42, epoch: 5 })).toEqual(pairedPlan(20, { seed: 42, epoch: 5 }));
  });

  it("pairedPlan(n, epoch 0) differs from epoch 1 for n = 3..20 (seed 42)", () => {
    for (let n = 3; n <= 20; n++) {
      expect(pairedPlan(n, { seed: 42, epoch: 0 })).not.toEqual(pairedPlan(n, { seed: 42, epoch: 1 }));
    }
  });

  it("pairedPlan(3, epochs 0..600): consecutive epochs are independent draws (equal about 1 in 6)", () => {
    let equal = 0;
    for (let e = 0; e < 600; e++) {
      const a = pairedPlan(3, { seed: 5, epoch: e }).join();
      const b = pairedPlan(3, { seed: 5, epoch: e + 1 }).join();
      if (a === b) equal++;
    }
    expect(equal).toBeGreaterThan(50); // expected 100
    expect(equal).toBeLessThan(150);
  });

  it("pairedPlan(bad arguments) throws INVALID_ARGUMENT", () => {
    expectError(
      () => pairedPlan(-1, { seed: 1, epoch: 0 }),
      "INVALID_ARGUMENT",
      "numImages must be an integer >= 0, found -1",
    );
    expectError(() => pairedPlan(2.5, { seed: 1, epoch: 0 }), "INVALID_ARGUMENT", "found 2.5");
    expectError(
      () => pairedPlan(3, { seed: Number.NaN, epoch: 0 }),
      "INVALID_ARGUMENT",
      "seed must be a finite number",
    );
    expectError(() => pairedPlan(3, { seed: 1, epoch: -1 }), "INVALID_ARGUMENT", "epoch must be an integer >= 0");
    expectError(
      () => pairedPlan(3, { seed: 1, epoch: 0, shuffle: "yes" as unknown as boolean }),
      "INVALID_ARGUMENT",
      'shuffle must be true or false, found "yes"',
    );
  });
});
