import { DeepRegLoaderError, INTRA_GROUP_OPTIONS } from "@deepreg-loader/core";
import type { IntraGroupOption } from "@deepreg-loader/core";
import { assertEpochOptions, epochOrder, type EpochOptions } from "./paired-plan.js";
import { randomFor, randomInt, shuffle, type Random } from "./random.js";
import { assertCount, assertOneOf, describe } from "./validate.js";

export { INTRA_GROUP_OPTIONS } from "@deepreg-loader/core";
export type { IntraGroupOption } from "@deepreg-loader/core";

/** How grouped pairs are formed (DeepReg's `intra_group_prob`, `intra_group_option`, `sample_image_in_group`). */
export interface GroupedSampling {
  /** Probability in [0, 1] that a group's pair is intra-group (1: intra only, 0: inter only). */
  intraGroupProb: number;
  /** Order of the two images of an intra-group pair. */
  intraGroupOption: IntraGroupOption;
  /** `true`: one pair per group per epoch; `false`: every pair (intraGroupProb must be 0 or 1). */
  sampleImageInGroup: boolean;
}

/** Options of {@link groupedPlan}: the epoch (seed, epoch, shuffle) and the grouped sampling. */
export interface GroupedOptions extends EpochOptions, GroupedSampling {}

/**
 * Grouped data: `[[movingGroup, movingImage, fixedGroup, fixedImage], ...]`, where
 * `groupSizes[g]` is the number of images of group `g`.
 *
 * `sampleImageInGroup: true`: one pair per group, groups in shuffled order. For each group
 * draw `r`; `r < intraGroupProb` gives two different images of the group ordered by
 * `intraGroupOption`, otherwise the moving image comes from the group and the fixed image
 * from another group chosen uniformly. The choices are drawn group by group in index order
 * (the `"groups"` stream), so `shuffle: false` gives the same pairs, ordered by group.
 *
 * `sampleImageInGroup: false`: every intra pair (`intraGroupProb` 1) or every inter pair
 * (`intraGroupProb` 0), listed in DeepReg's order, then shuffled (the `"order"` stream).
 *
 * Throws INVALID_ARGUMENT for bad arguments (and for 0 < intraGroupProb < 1 with
 * `sampleImageInGroup: false`); GROUP_SIZE for fewer than two groups when inter-group pairs
 * are possible (`intraGroupProb < 1`), for a group of fewer than two images when intra-group
 * pairs are possible (`intraGroupProb > 0`), and for an empty group.
 */
export function groupedPlan(groupSizes: readonly number[], options: GroupedOptions): number[][] {
  assertEpochOptions(options);
  assertGrouped(groupSizes, options);
  if (options.sampleImageInGroup) {
    const random = randomFor(options.seed, options.epoch, "groups");
    const pairs = groupSizes.map((_, g) => samplePair(groupSizes, g, options, random));
    return epochOrder(groupSizes.length, options).map((g) => pairs[g] as number[]);
  }
  const pairs =
    options.intraGroupProb === 1 ? allIntraPairs(groupSizes, options.intraGroupOption) : allInterPairs(groupSizes);
  if (options.shuffle === false) return pairs;
  return shuffle(pairs, randomFor(options.seed, options.epoch, "order"));
}

/**
 * The length of `groupedPlan(groupSizes, options)` without building it: the number of
 * groups, or with `sampleImageInGroup: false` `sum n(n-1)/2` (forward, backward),
 * `sum n(n-1)` (unconstrained) or `(sum n)^2 - sum n^2` (inter). Same errors as `groupedPlan`.
 */
export function groupedPlanLength(groupSizes: readonly number[], sampling: GroupedSampling): number {
  assertGrouped(groupSizes, sampling);
  if (sampling.sampleImageInGroup) return groupSizes.length;
  let total = 0;
  let squares = 0;
  let intra = 0;
  for (const n of groupSizes) {
    total += n;
    squares += n * n;
    intra += (n * (n - 1)) / 2;
  }
  if (sampling.intraGroupProb === 0) return total * total - squares;
  return sampling.intraGroupOption === "unconstrained" ? 2 * intra : intra;
}

/** One group's pair for `sampleImageInGroup: true`. */
function samplePair(
  groupSizes: readonly number[],
  g: number,
  sampling: GroupedSampling,
  random: Random,
): number[] {
  const n = groupSizes[g] as number;
  if (random() < sampling.intraGroupProb) {
    // Two different images, uniform over ordered pairs (as Python's random.sample(range(n), 2)).
    const a = randomInt(random, n);
    let b = randomInt(random, n - 1);
    if (b >= a) b += 1;
    switch (sampling.intraGroupOption) {
      case "forward":
        return [g, Math.min(a, b), g, Math.max(a, b)];
      case "backward":
        return [g, Math.max(a, b), g, Math.min(a, b)];
      case "unconstrained":
        return [g, a, g, b];
    }
  }
  // Inter-group: the fixed group uniformly among the others, then one image in each.
  let fixedGroup = randomInt(random, groupSizes.length - 1);
  if (fixedGroup >= g) fixedGroup += 1;
  const movingImage = randomInt(random, n);
  const fixedImage = randomInt(random, groupSizes[fixedGroup] as number);
  return [g, movingImage, fixedGroup, fixedImage];
}

/** Every intra-group pair, in DeepReg's order: per group, for i, for j < i. */
function allIntraPairs(groupSizes: readonly number[], option: IntraGroupOption): number[][] {
  const pairs: number[][] = [];
  groupSizes.forEach((n, g) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        if (option === "backward") {
          pairs.push([g, i, g, j]);
        } else {
          pairs.push([g, j, g, i]);
          if (option === "unconstrained") pairs.push([g, i, g, j]);
        }
      }
    }
  });
  return pairs;
}

/** Every inter-group pair, in DeepReg's order: moving group, fixed group, moving image, fixed image. */
function allInterPairs(groupSizes: readonly number[]): number[][] {
  const pairs: number[][] = [];
  groupSizes.forEach((n1, g1) => {
    groupSizes.forEach((n2, g2) => {
      if (g1 === g2) return;
      for (let i1 = 0; i1 < n1; i1++) {
        for (let i2 = 0; i2 < n2; i2++) pairs.push([g1, i1, g2, i2]);
      }
    });
  });
  return pairs;
}

/** What grouped sampling needs of the groups: see {@link groupSizeRequirement}. */
export interface GroupSizeRequirement {
  /** Groups needed: 2 when inter-group pairs are possible (`intraGroupProb < 1`), else 0 (any number). */
  minGroups: number;
  /** Images needed in every group: 2 when intra-group pairs are possible (`intraGroupProb > 0`), else 1. */
  minGroupSize: number;
}

/**
 * The group count and group size grouped sampling needs (the one threshold the samplers, the
 * loader and `check` share): an intra-group pair takes two different images of one group, an
 * inter-group pair one image of each of two groups.
 */
export function groupSizeRequirement(sampling: Pick<GroupedSampling, "intraGroupProb">): GroupSizeRequirement {
  const p = sampling.intraGroupProb;
  return { minGroups: p < 1 ? 2 : 0, minGroupSize: p > 0 ? 2 : 1 };
}

/** Argument and group-size checks shared by `groupedPlan` and `groupedPlanLength`. */
function assertGrouped(groupSizes: readonly number[], sampling: GroupedSampling): void {
  if (!Array.isArray(groupSizes)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `groupSizes must be an array of image counts, found ${describe(groupSizes)}`,
    );
  }
  groupSizes.forEach((n, g) => assertCount(`groupSizes[${g}]`, n));
  const p = sampling.intraGroupProb;
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `intraGroupProb must be a number in [0, 1], found ${describe(p)}`,
      { details: { intraGroupProb: p } },
    );
  }
  assertOneOf("intraGroupOption", sampling.intraGroupOption, INTRA_GROUP_OPTIONS);
  if (typeof sampling.sampleImageInGroup !== "boolean") {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `sampleImageInGroup must be true or false, found ${describe(sampling.sampleImageInGroup)}`,
      { details: { sampleImageInGroup: sampling.sampleImageInGroup } },
    );
  }
  if (!sampling.sampleImageInGroup && p !== 0 && p !== 1) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `intraGroupProb must be 0 or 1 when sampleImageInGroup is false ` +
        `(mixing is not supported with sample_image_in_group false), found ${p}`,
      { details: { intraGroupProb: p, sampleImageInGroup: false } },
    );
  }
  const { minGroups, minGroupSize: minSize } = groupSizeRequirement(sampling);
  if (groupSizes.length < minGroups) {
    throw new DeepRegLoaderError(
      "GROUP_SIZE",
      `inter-group sampling (intraGroupProb ${p} < 1) needs at least two groups, found ${groupSizes.length}`,
      { details: { numGroups: groupSizes.length, intraGroupProb: p } },
    );
  }
  const small = groupSizes.flatMap((n, g) => (n < minSize ? [g] : []));
  if (small.length > 0) {
    const listed = small.slice(0, 10).map((g) => `group ${g} has ${groupSizes[g]}`);
    if (small.length > 10) listed.push(`and ${small.length - 10} more`);
    const why = p > 0 ? `intra-group sampling (intraGroupProb ${p} > 0)` : "inter-group sampling";
    throw new DeepRegLoaderError(
      "GROUP_SIZE",
      `${why} needs at least ${minSize} image${minSize > 1 ? "s" : ""} in every group: ${listed.join(", ")}`,
      { details: { groups: small, groupSizes: small.map((g) => groupSizes[g]), minSize } },
    );
  }
}
