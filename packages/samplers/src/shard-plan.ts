import { DeepRegLoaderError } from "@deepreg-loader/core";
import { assertCount, assertOptionalBoolean, describe } from "./validate.js";

/** Which part of a plan one process (rank) takes. */
export interface ShardOptions {
  /** This rank, in `0..count-1`. */
  index: number;
  /** Number of ranks, >= 1. */
  count: number;
  /**
   * Give every rank exactly `floor(n / count)` elements by dropping the last `n % count`
   * elements of the plan for all ranks. Default `false`. The plan is reshuffled each epoch,
   * so different elements drop in different epochs.
   */
  evenDivisible?: boolean;
}

/**
 * A strided split of a plan: element `i` goes to rank `i % count`. The parts of ranks
 * `0..count-1` are disjoint and together hold every element of the plan exactly once (without
 * `evenDivisible`, rank `r` has `ceil((n - r) / count)` elements). Order is kept. Throws
 * INVALID_ARGUMENT for `count < 1`, `index` outside `0..count-1` or non-integers.
 */
export function shardPlan<T>(plan: readonly T[], options: ShardOptions): T[] {
  const { index, count } = options;
  assertCount("count", count);
  assertCount("index", index);
  assertOptionalBoolean("evenDivisible", options.evenDivisible);
  if (count < 1 || index >= count) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `shard index must be in 0..count-1 with count >= 1, found index ${describe(index)} and count ${describe(count)}`,
      { details: { index, count } },
    );
  }
  const end = options.evenDivisible ? plan.length - (plan.length % count) : plan.length;
  const out: T[] = [];
  for (let i = index; i < end; i += count) out.push(plan[i] as T);
  return out;
}
