import { randomFor, shuffle } from "./random.js";
import { assertCount, assertOptionalBoolean, assertSeedEpoch } from "./validate.js";

/** Seed, epoch and ordering of one epoch's plan. */
export interface EpochOptions {
  /** Seed of every random choice; the same seed gives the same plan. */
  seed: number;
  /** Epoch number (integer >= 0); each epoch draws from its own streams. */
  epoch: number;
  /** Shuffle the order of the plan. Default `true`; `false` keeps the listing order. */
  shuffle?: boolean;
}

/** Checks the shared epoch options; throws INVALID_ARGUMENT. */
export function assertEpochOptions(options: EpochOptions): void {
  assertSeedEpoch(options);
  assertOptionalBoolean("shuffle", options.shuffle);
}

/** `0, 1, ..., n - 1` in the epoch's order: shuffled with the `"order"` stream unless `shuffle: false`. */
export function epochOrder(n: number, options: EpochOptions): number[] {
  const identity = Array.from({ length: n }, (_, i) => i);
  if (options.shuffle === false) return identity;
  return shuffle(identity, randomFor(options.seed, options.epoch, "order"));
}

/**
 * Paired data: each image index once per epoch, in an order shuffled per epoch
 * (`shuffle: false`: 0..N-1). Returns DeepReg index vectors without the label index:
 * `[[imageIndex], ...]`, `numImages` of them. Throws INVALID_ARGUMENT for a negative or
 * fractional `numImages`, a non-finite seed or a negative epoch.
 */
export function pairedPlan(numImages: number, options: EpochOptions): number[][] {
  assertCount("numImages", numImages);
  assertEpochOptions(options);
  return epochOrder(numImages, options).map((i) => [i]);
}
