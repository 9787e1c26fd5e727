import { describe, expect, it } from "vitest";
import { groupedPlan, groupedPlanLength, groupSizeRequirement, type GroupedOptions, type IntraGroupOption } from "./grouped-plan.js";
import { expectError, histogram, range } from "./test-helpers.js";

const OPTIONS: readonly IntraGroupOption[] = ["forward", "backward", "unconstrained"];

function opts(overrides: Partial<GroupedOptions> = {}): GroupedOptions {
  return { seed: 42, epoch: 0, intraGroupProb: 1, intraGroupOption: "forward", sampleImageInGroup: true, ...overrides };
}

/** Every pair is in range; intra pairs use two different images ordered as `option` says. */
function checkPairs(plan: number[][], sizes: readonly number[], option: IntraGroupOption): void {
  for (const pair of plan) {
    expect(pair.length).toBe(4);
    const [g1, i1, g2, i2] = pair as [number, number, number, number];
    expect(i1 >= 0 && i1 < (sizes[g1] as number)).toBe(true);
    expect(i2 >= 0 && i2 < (sizes[g2] as number)).toBe(true);
    if (g1 === g2) {
      expect(i1).not.toBe(i2);
      if (option === "forward") expect(i1).toBeLessThan(i2);
      if (option === "backward") expect(i1).toBeGreaterThan(i2);
    }
  }
}

describe("groupedPlan, sampleImageInGroup true", () => {
  const sizes = [3, 5, 2, 4];

  it("groupedPlan([3, 5, 2, 4], intra forward | backward | unconstrained, seed 42)", () => {
    // Group order 0, 3, 1, 2; the same draws ordered per option.
    expect(groupedPlan(sizes, opts({ intraGroupOption: "forward" }))).toEqual([
      [0, 0, 0, 2],
      [3, 2, 3, 3],
      [1, 0, 1, 3],
      [2, 0, 2, 1],
    ]);
    expect(groupedPlan(sizes, opts({ intraGroupOption: "backward" }))).toEqual([
      [0, 2, 0, 0],
      [3, 3, 3, 2],
      [1, 3, 1, 0],
      [2, 1, 2, 0],
    ]);
    expect(groupedPlan(sizes, opts({ intraGroupOption: "unconstrained" }))).toEqual([
      [0, 0, 0, 2],
      [3, 2, 3, 3],
      [1, 3, 1, 0],
      [2, 0, 2, 1],
    ]);
  });

  it("groupedPlan([3, 5, 2, 4], inter (intraGroupProb 0), seed 42)", () => {
    expect(groupedPlan(sizes, opts({ intraGroupProb: 0 }))).toEqual([
      [0, 2, 1, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 0],
      [2, 1, 0, 2],
    ]);
  });

  it("groupedPlan([3, 5, 2, 4, 3, 2], mixed 0.5, seed 7, epoch 2), shuffled and not", () => {
    const size6 = [3, 5, 2, 4, 3, 2];
    const ordered = [
      [0, 2, 1, 2],
      [1, 2, 1, 4],
      [2, 0, 2, 1],
      [3, 1, 3, 2],
      [4, 0, 4, 2],
      [5, 1, 1, 4],
    ];
    expect(groupedPlan(size6, opts({ seed: 7, epoch: 2, intraGroupProb: 0.5, shuffle: false }))).toEqual(ordered);
    expect(groupedPlan(size6, opts({ seed: 7, epoch: 2, intraGroupProb: 0.5 }))).toEqual([
      ordered[5],
      ordered[4],
      ordered[3],
      ordered[0],
      ordered[1],
      ordered[2],
    ]);
  });

  it("groupedPlan(sizes, ...) has one pair per group, valid and ordered per option, over many seeds", () => {
    const sizeVectors = [[2, 2], [2, 3, 4], [5, 2, 7, 3, 2], range(12).map((g) => 2 + (g % 5))];
    for (const sizes of sizeVectors) {
      for (const option of OPTIONS) {
        for (const p of [0, 0.3, 1]) {
          for (let seed = 0; seed < 10; seed++) {
            const options = opts({ seed, epoch: seed % 3, intraGroupProb: p, intraGroupOption: option });
            const plan = groupedPlan(sizes, options);
            const movingGroups = plan.map((pair) => pair[0] as number);
            expect(movingGroups.sort((a, b) => a - b)).toEqual(range(sizes.length));
            checkPairs(plan, sizes, option);
            if (p === 1) expect(plan.every(([g1, , g2]) => g1 === g2)).toBe(true);
            if (p === 0) expect(plan.every(([g1, , g2]) => g1 !== g2)).toBe(true);
          }
        }
      }
    }
  });

  it("groupedPlan(sizes, ...) is the same on every call and differs between epochs 0 and 1", () => {
    expect(groupedPlan([4, 4, 4], opts({ epoch: 3 }))).toEqual(groupedPlan([4, 4, 4], opts({ epoch: 3 })));
    for (let g = 3; g <= 10; g++) {
      const sizes = range(g).map(() => 4);
      expect(groupedPlan(sizes, opts({ epoch: 0 }))).not.toEqual(groupedPlan(sizes, opts({ epoch: 1 })));
    }
  });

  it("groupedPlan([3, 1], intraGroupProb 1) throws GROUP_SIZE; [1, 1] with intraGroupProb 0 is inter only", () => {
    expectError(() => groupedPlan([3, 1], opts()), "GROUP_SIZE", "at least 2 images in every group: group 1 has 1");
    expect(groupedPlan([1, 1], opts({ intraGroupProb: 0 }))).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
    ]);
  });

  it("groupedPlan([2], intraGroupProb 1) is intra only with a single group", () => {
    expect(groupedPlan([2], opts())).toEqual([[0, 0, 0, 1]]);
    expect(groupedPlan([], opts())).toEqual([]);
  });

  it("groupedPlan(sizes, intraGroupProb 0.3) is intra for about 30% of groups over 2000 epochs", () => {
    let intra = 0;
    for (let epoch = 0; epoch < 2000; epoch++) {
      const [[g1, , g2] = []] = groupedPlan([3, 3], opts({ epoch, intraGroupProb: 0.3 }));
      if (g1 === g2) intra++;
    }
    // Two groups per epoch: expected 1200 of 4000.
    expect(intra).toBeGreaterThan(450);
    expect(intra).toBeLessThan(750);
  });

  it("groupedPlan([4, ...], unconstrained) draws each of the 12 ordered pairs of a group about equally", () => {
    const seen: string[] = [];
    for (let epoch = 0; epoch < 2400; epoch++) {
      const [pair] = groupedPlan([4], opts({ epoch, intraGroupOption: "unconstrained" }));
      seen.push(`${pair?.[1]}${pair?.[3]}`);
    }
    const counts = histogram(seen);
    expect(counts.size).toBe(12);
    for (const count of counts.values()) expect(count).toBeGreaterThan(120); // expected 200
    for (const count of counts.values()) expect(count).toBeLessThan(280);
  });

  it("groupedPlan([2, 2, 2, 2], inter) picks each other group about equally", () => {
    const fixedGroups: number[] = [];
    for (let epoch = 0; epoch < 1000; epoch++) {
      const plan = groupedPlan([2, 2, 2, 2], opts({ epoch, intraGroupProb: 0 }));
      const fromZero = plan.find(([g]) => g === 0) as number[];
      fixedGroups.push(fromZero[2] as number);
    }
    const counts = histogram(fixedGroups);
    expect([...counts.keys()].sort()).toEqual([1, 2, 3]);
    for (const count of counts.values()) expect(count).toBeGreaterThan(230); // expected 333
    for (const count of counts.values()) expect(count).toBeLessThan(430);
  });
});

describe("groupedPlan, sampleImageInGroup false", () => {
  const all = (overrides: Partial<GroupedOptions> = {}) =>
    opts({ sampleImageInGroup: false, shuffle: false, ...overrides });

  it("groupedPlan([3, 2], all intra forward | backward | unconstrained) in DeepReg's order", () => {
    expect(groupedPlan([3, 2], all({ intraGroupOption: "forward" }))).toEqual([
      [0, 0, 0, 1],
      [0, 0, 0, 2],
      [0, 1, 0, 2],
      [1, 0, 1, 1],
    ]);
    expect(groupedPlan([3, 2], all({ intraGroupOption: "backward" }))).toEqual([
      [0, 1, 0, 0],
      [0, 2, 0, 0],
      [0, 2, 0, 1],
      [1, 1, 1, 0],
    ]);
    expect(groupedPlan([3, 2], all({ intraGroupOption: "unconstrained" }))).toEqual([
      [0, 0, 0, 1],
      [0, 1, 0, 0],
      [0, 0, 0, 2],
      [0, 2, 0, 0],
      [0, 1, 0, 2],
      [0, 2, 0, 1],
      [1, 0, 1, 1],
      [1, 1, 1, 0],
    ]);
  });

  it("groupedPlan([2, 1, 2], all inter) in DeepReg's order", () => {
    expect(groupedPlan([2, 1, 2], all({ intraGroupProb: 0 }))).toEqual([
      [0, 0, 1, 0],
      [0, 1, 1, 0],
      [0, 0, 2, 0],
      [0, 0, 2, 1],
      [0, 1, 2, 0],
      [0, 1, 2, 1],
      [1, 0, 0, 0],
      [1, 0, 0, 1],
      [1, 0, 2, 0],
      [1, 0, 2, 1],
      [2, 0, 0, 0],
      [2, 0, 0, 1],
      [2, 1, 0, 0],
      [2, 1, 0, 1],
      [2, 0, 1, 0],
      [2, 1, 1, 0],
    ]);
  });

  it("groupedPlan([3, 2], all intra forward, seed 42) shuffles the list", () => {
    expect(groupedPlan([3, 2], all({ shuffle: true }))).toEqual([
      [0, 0, 0, 1],
      [1, 0, 1, 1],
      [0, 0, 0, 2],
      [0, 1, 0, 2],
    ]);
  });

  it("groupedPlan(sizes, all pairs) counts match the formulas and groupedPlanLength, pairs distinct", () => {
    const sizeVectors = [
      [2],
      [2, 2],
      [3, 2],
      [2, 3, 4],
      [5, 2, 7, 3, 2],
      [10, 10, 10],
      range(9).map((g) => 2 + (g % 4)),
    ];
    for (const sizes of sizeVectors) {
      const sum = sizes.reduce((a, n) => a + n, 0);
      const pairs2 = sizes.reduce((a, n) => a + (n * (n - 1)) / 2, 0);
      const expected: Array<[number, IntraGroupOption, number]> = [
        [1, "forward", pairs2],
        [1, "backward", pairs2],
        [1, "unconstrained", 2 * pairs2],
      ];
      if (sizes.length > 1) expected.push([0, "forward", sum * sum - sizes.reduce((a, n) => a + n * n, 0)]);
      for (const [p, option, count] of expected) {
        const sampling = { intraGroupProb: p, intraGroupOption: option, sampleImageInGroup: false };
        const plan = groupedPlan(sizes, all({ ...sampling, shuffle: true, seed: sum }));
        expect(plan.length).toBe(count);
        expect(groupedPlanLength(sizes, sampling)).toBe(count);
        expect(new Set(plan.map((pair) => pair.join())).size).toBe(count);
        checkPairs(plan, sizes, option);
        expect(plan.every(([g1, , g2]) => (p === 1 ? g1 === g2 : g1 !== g2))).toBe(true);
      }
    }
  });

  it("groupedPlan(sizes, all pairs, shuffle) is a permutation of the unshuffled list", () => {
    const sorted = (plan: number[][]) => plan.map((pair) => pair.join()).sort();
    const listed = groupedPlan([3, 4, 2], all({ intraGroupProb: 0 }));
    const shuffled = groupedPlan([3, 4, 2], all({ intraGroupProb: 0, shuffle: true }));
    expect(shuffled).not.toEqual(listed);
    expect(sorted(shuffled)).toEqual(sorted(listed));
  });

  it("groupedPlanLength(sizes, sampleImageInGroup true) is the number of groups", () => {
    const sampling = { intraGroupProb: 0.4, intraGroupOption: "forward", sampleImageInGroup: true } as const;
    expect(groupedPlanLength([3, 5, 2], sampling)).toBe(3);
  });
});

describe("groupedPlan errors", () => {
  it("groupedPlan(sizes, sampleImageInGroup false, intraGroupProb 0.5) throws INVALID_ARGUMENT", () => {
    expectError(
      () => groupedPlan([3, 3], opts({ sampleImageInGroup: false, intraGroupProb: 0.5 })),
      "INVALID_ARGUMENT",
      "mixing is not supported with sample_image_in_group false",
    );
  });

  it("groupedPlan([4], intraGroupProb < 1) throws GROUP_SIZE (needs two groups)", () => {
    expectError(
      () => groupedPlan([4], opts({ intraGroupProb: 0.9 })),
      "GROUP_SIZE",
      "needs at least two groups, found 1",
    );
    expectError(() => groupedPlan([], opts({ intraGroupProb: 0 })), "GROUP_SIZE", "needs at least two groups, found 0");
    expectError(
      () => groupedPlan([4], opts({ intraGroupProb: 0, sampleImageInGroup: false })),
      "GROUP_SIZE",
      "needs at least two groups, found 1",
    );
  });

  it("groupedPlan(sizes with groups < 2 images, intraGroupProb > 0) throws GROUP_SIZE naming the groups", () => {
    expectError(
      () => groupedPlan([3, 1, 4, 0], opts({ intraGroupProb: 0.2 })),
      "GROUP_SIZE",
      "group 1 has 1, group 3 has 0",
    );
    expectError(
      () => groupedPlan([3, 1], opts({ sampleImageInGroup: false })),
      "GROUP_SIZE",
      "intra-group sampling (intraGroupProb 1 > 0) needs at least 2 images in every group: group 1 has 1",
    );
    expectError(
      () => groupedPlan([3, 0], opts({ intraGroupProb: 0 })),
      "GROUP_SIZE",
      "at least 1 image in every group: group 1 has 0",
    );
  });

  it("groupedPlan(bad arguments) throws INVALID_ARGUMENT", () => {
    expectError(
      () => groupedPlan([3, -1], opts()),
      "INVALID_ARGUMENT",
      "groupSizes[1] must be an integer >= 0, found -1",
    );
    expectError(
      () => groupedPlan([3, 2], opts({ intraGroupProb: 1.5 })),
      "INVALID_ARGUMENT",
      "intraGroupProb must be a number in [0, 1], found 1.5",
    );
    expectError(() => groupedPlan([3, 2], opts({ intraGroupProb: -0.1 })), "INVALID_ARGUMENT", "found -0.1");
    expectError(() => groupedPlan([3, 2], opts({ intraGroupProb: Number.NaN })), "INVALID_ARGUMENT", "found NaN");
    expectError(
      () => groupedPlan([3, 2], opts({ intraGroupOption: "forwards" as IntraGroupOption })),
      "INVALID_ARGUMENT",
      'intraGroupOption must be one of "forward", "backward", "unconstrained", found "forwards"',
    );
    expectError(
      () => groupedPlan([3, 2], opts({ sampleImageInGroup: undefined as unknown as boolean })),
      "INVALID_ARGUMENT",
      "sampleImageInGroup must be true or false, found undefined",
    );
    expectError(() => groupedPlan([3, 2], opts({ epoch: -1 })), "INVALID_ARGUMENT", "epoch must be an integer >= 0");
    expectError(
      () => groupedPlan(null as unknown as number[], opts()),
      "INVALID_ARGUMENT",
      "groupSizes must be an array",
    );
  });

  it("groupSizeRequirement({ intraGroupProb }) is the threshold groupedPlan applies", () => {
    expect(groupSizeRequirement({ intraGroupProb: 1 })).toEqual({ minGroups: 0, minGroupSize: 2 });
    expect(groupSizeRequirement({ intraGroupProb: 0.5 })).toEqual({ minGroups: 2, minGroupSize: 2 });
    expect(groupSizeRequirement({ intraGroupProb: 0 })).toEqual({ minGroups: 2, minGroupSize: 1 });
    const options = { seed: 0, epoch: 0, intraGroupOption: "forward", sampleImageInGroup: true } as const;
    expect(groupedPlan([1, 3], { ...options, intraGroupProb: 0 })).toHaveLength(2);
    expect(() => groupedPlan([1, 3], { ...options, intraGroupProb: 0.5 })).toThrow(/at least 2 images/);
    expect(() => groupedPlan([3], { ...options, intraGroupProb: 0 })).toThrow(/at least two groups/);
  });
});
