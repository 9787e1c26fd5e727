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
  /**
   * Give every rank exactly `ceil(n / count)` elements: the plan is extended with its own
   * elements from its start (cyclically when `n < count`) to a multiple of `count` before it is
   * split, as PyTorch's `DistributedSampler` pads by default. Every element is kept. Default
   * `false`; ignored with `evenDivisible`.
   */
  pad?: boolean;
}

/**
 * A strided split of a plan: element `i` goes to rank `i % count`. The parts of ranks
 * `0..count-1` are disjoint and together hold every element of the plan exactly once (without
 * `evenDivisible`, rank `r` has `ceil((n - r) / count)` elements). `pad` gives every rank
 * `ceil(n / count)` elements, the short ranks taking elements from the start of the plan;
 * `evenDivisible` gives every rank `floor(n / count)`. Order is kept. Throws
 * INVALID_ARGUMENT for `count < 1`, `index` outside `0..count-1` or non-integers.
 */
export function shardPlan<T>(plan: readonly T[], options: ShardOptions): T[] {
  const { index, count } = options;
  assertCount("count", count);
  assertCount("index", index);
  assertOptionalBoolean("evenDivisible", options.evenDivisible);
  assertOptionalBoolean("pad", options.pad);
  if (count < 1 || index >= count) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `shard index must be in 0..count-1 with count >= 1, found index ${describe(index)} and count ${describe(count)}`,
      { details: { index, count } },
    );
  }
  const n = plan.length;
  const end = options.evenDivisible ? n - (n % count) : options.pad && n > 0 ? Math.ceil(n / count) * count : n;
  const out: T[] = [];
  // Positions past the plan's end wrap to its start (padding).
  for (let i = index; i < end; i += count) out.push(plan[i % n] as T);
  return out;
}
