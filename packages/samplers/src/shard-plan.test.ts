import { describe, expect, it } from "vitest";
import { pairedPlan } from "./paired-plan.js";
import { shardPlan } from "./shard-plan.js";
import { expectError, range } from "./test-helpers.js";

describe("shardPlan", () => {
  const plan = range(10).map((i) => `p${i}`);

  it("shardPlan(10 items, { index: 0..2, count: 3 }) is strided", () => {
    expect(shardPlan(plan, { index: 0, count: 3 })).toEqual(["p0", "p3", "p6", "p9"]);
    expect(shardPlan(plan, { index: 1, count: 3 })).toEqual(["p1", "p4", "p7"]);
    expect(shardPlan(plan, { index: 2, count: 3 })).toEqual(["p2", "p5", "p8"]);
  });

  it("shardPlan(10 items, { count: 3, evenDivisible: true }) drops the last element for all ranks", () => {
    expect(shardPlan(plan, { index: 0, count: 3, evenDivisible: true })).toEqual(["p0", "p3", "p6"]);
    expect(shardPlan(plan, { index: 1, count: 3, evenDivisible: true })).toEqual(["p1", "p4", "p7"]);
    expect(shardPlan(plan, { index: 2, count: 3, evenDivisible: true })).toEqual(["p2", "p5", "p8"]);
  });

  it("shardPlan(10 items, { count: 4, pad: true }) pads the short ranks from the start of the plan", () => {
    expect(shardPlan(plan, { index: 0, count: 4, pad: true })).toEqual(["p0", "p4", "p8"]);
    expect(shardPlan(plan, { index: 1, count: 4, pad: true })).toEqual(["p1", "p5", "p9"]);
    expect(shardPlan(plan, { index: 2, count: 4, pad: true })).toEqual(["p2", "p6", "p0"]);
    expect(shardPlan(plan, { index: 3, count: 4, pad: true })).toEqual(["p3", "p7", "p1"]);
  });

  it("shardPlan(2 items, { count: 5, pad: true }) repeats the plan so every rank gets one", () => {
    const two = ["a", "b"];
    expect([0, 1, 2, 3, 4].map((index) => shardPlan(two, { index, count: 5, pad: true }))).toEqual([
      ["a"],
      ["b"],
      ["a"],
      ["b"],
      ["a"],
    ]);
    expect(shardPlan([], { index: 1, count: 3, pad: true })).toEqual([]);
    expect(shardPlan(two, { index: 0, count: 5, pad: true, evenDivisible: true })).toEqual([]);
  });

  it("shardPlan(plan, { index: 0, count: 1 }) is the whole plan, as a new array", () => {
    const out = shardPlan(plan, { index: 0, count: 1 });
    expect(out).toEqual(plan);
    expect(out).not.toBe(plan);
    expect(shardPlan([], { index: 2, count: 4 })).toEqual([]);
  });

  it("shardPlan(pairedPlan(n), { count: 1..7 }): disjoint parts covering the plan once, n = 0..40, seeds 0..4", () => {
    for (let seed = 0; seed < 5; seed++) {
      for (let n = 0; n <= 40; n++) {
        const epochPlan = pairedPlan(n, { seed, epoch: n }).map(([i]) => i as number);
        for (let count = 1; count <= 7; count++) {
          const parts = range(count).map((index) => shardPlan(epochPlan, { index, count }));
          expect(parts.flat().sort((a, b) => a - b)).toEqual(range(n));
          parts.forEach((part, index) => expect(part.length).toBe(Math.max(0, Math.ceil((n - index) / count))));

          const even = range(count).map((index) => shardPlan(epochPlan, { index, count, evenDivisible: true }));
          const kept = Math.floor(n / count) * count;
          for (const part of even) expect(part.length).toBe(Math.floor(n / count));
          expect(even.flat().sort((a, b) => a - b)).toEqual(epochPlan.slice(0, kept).sort((a, b) => a - b));

          const padded = range(count).map((index) => shardPlan(epochPlan, { index, count, pad: true }));
          for (const part of padded) expect(part.length).toBe(n === 0 ? 0 : Math.ceil(n / count));
          expect(new Set(padded.flat())).toEqual(new Set(epochPlan));
        }
      }
    }
  });

  it("shardPlan(bad options) throws INVALID_ARGUMENT", () => {
    expectError(
      () => shardPlan(plan, { index: 3, count: 3 }),
      "INVALID_ARGUMENT",
      "shard index must be in 0..count-1 with count >= 1, found index 3 and count 3",
    );
    expectError(() => shardPlan(plan, { index: 0, count: 0 }), "INVALID_ARGUMENT", "found index 0 and count 0");
    expectError(
      () => shardPlan(plan, { index: -1, count: 2 }),
      "INVALID_ARGUMENT",
      "index must be an integer >= 0, found -1",
    );
    expectError(
      () => shardPlan(plan, { index: 0, count: 1.5 }),
      "INVALID_ARGUMENT",
      "count must be an integer >= 0, found 1.5",
    );
    expectError(
      () => shardPlan(plan, { index: 0, count: 2, evenDivisible: 1 as unknown as boolean }),
      "INVALID_ARGUMENT",
      "evenDivisible must be true or false, found 1",
    );
  });
});
