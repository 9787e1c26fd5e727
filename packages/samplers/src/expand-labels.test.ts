import { describe, expect, it } from "vitest";
import { expandLabels } from "./expand-labels.js";
import { pairedPlan } from "./paired-plan.js";
import { expectError, histogram } from "./test-helpers.js";

const PAIRS = [
  [0, 1],
  [2, 3],
  [4, 5],
  [6, 7],
];
const EPOCH = { seed: 42, epoch: 0 };

describe("expandLabels", () => {
  it('expandLabels(pairs, [3, 1, 2, 4], "sample", seed 42)', () => {
    expect(expandLabels(PAIRS, [3, 1, 2, 4], "sample", EPOCH)).toEqual([
      [0, 1, 1],
      [2, 3, 0],
      [4, 5, 1],
      [6, 7, 0],
    ]);
  });

  it('expandLabels(pairs, [3, 1, 2, 4], "all") lists 0..C-1 per pair, consecutive', () => {
    expect(expandLabels(PAIRS, [3, 1, 2, 4], "all", EPOCH)).toEqual([
      [0, 1, 0],
      [0, 1, 1],
      [0, 1, 2],
      [2, 3, 0],
      [4, 5, 0],
      [4, 5, 1],
      [6, 7, 0],
      [6, 7, 1],
      [6, 7, 2],
      [6, 7, 3],
    ]);
  });

  it('expandLabels(pairs, null, "sample" | "all") appends -1', () => {
    const unlabeled = PAIRS.map((pair) => [...pair, -1]);
    expect(expandLabels(PAIRS, null, "sample", EPOCH)).toEqual(unlabeled);
    expect(expandLabels(PAIRS, null, "all", EPOCH)).toEqual(unlabeled);
  });

  it("expandLabels(pairs, ...) returns new arrays and leaves pairs untouched", () => {
    const pairs = [[3], [1]];
    const out = expandLabels(pairs, [2, 2], "sample", EPOCH);
    expect(pairs).toEqual([[3], [1]]);
    expect(out[0]).not.toBe(pairs[0]);
    expect(expandLabels([], [], "all", EPOCH)).toEqual([]);
  });

  it('expandLabels(pairedPlan(...), "sample") keeps the pair order (labels have their own stream)', () => {
    const plan = pairedPlan(9, EPOCH);
    const sampled = expandLabels(plan, plan.map(() => 3), "sample", EPOCH);
    expect(sampled.map((v) => v.slice(0, 1))).toEqual(plan);
    expect(sampled).toEqual(expandLabels(plan, plan.map(() => 3), "sample", EPOCH));
  });

  it('expandLabels([[0]], [4], "sample", epochs 0..1999) picks each label about equally', () => {
    const chosen: number[] = [];
    for (let epoch = 0; epoch < 2000; epoch++) {
      const [entry] = expandLabels([[0]], [4], "sample", { seed: 42, epoch });
      chosen.push(entry?.[1] as number);
    }
    const counts = histogram(chosen);
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const count of counts.values()) expect(count).toBeGreaterThan(380); // expected 500
    for (const count of counts.values()) expect(count).toBeLessThan(620);
  });

  it("expandLabels(bad arguments) throws INVALID_ARGUMENT", () => {
    expectError(
      () => expandLabels(PAIRS, [1, 2], "sample", EPOCH),
      "INVALID_ARGUMENT",
      "labelCounts must have one count per pair (4), found 2 counts",
    );
    expectError(
      () => expandLabels(PAIRS, [1, 0, 1, 1], "all", EPOCH),
      "INVALID_ARGUMENT",
      "labelCounts[1] must be >= 1 for labeled data (pair [2, 3]), found 0",
    );
    expectError(
      () => expandLabels(PAIRS, [1, 1.5, 1, 1], "all", EPOCH),
      "INVALID_ARGUMENT",
      "labelCounts[1] must be an integer >= 0, found 1.5",
    );
    expectError(
      () => expandLabels(PAIRS, null, "random" as "sample", EPOCH),
      "INVALID_ARGUMENT",
      'mode must be one of "sample", "all", found "random"',
    );
    expectError(
      () => expandLabels(PAIRS, null, "all", { seed: 1, epoch: -3 }),
      "INVALID_ARGUMENT",
      "epoch must be an integer >= 0",
    );
  });
});
