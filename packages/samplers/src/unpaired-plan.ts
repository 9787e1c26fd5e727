import { assertEpochOptions, epochOrder, type EpochOptions } from "./paired-plan.js";
import { assertCount } from "./validate.js";

/**
 * Unpaired data, DeepReg's way: shuffle 0..N-1 (the `"order"` stream), then pair consecutive
 * entries: `floor(N / 2)` disjoint pairs `[[movingIndex, fixedIndex], ...]`, sampled without
 * replacement; with N odd one image sits out this epoch. `shuffle: false` gives
 * `[[0, 1], [2, 3], ...]`. Fewer than two images give `[]`.
 */
export function unpairedPlan(numImages: number, options: EpochOptions): number[][] {
  assertCount("numImages", numImages);
  assertEpochOptions(options);
  const order = epochOrder(numImages, options);
  const pairs: number[][] = [];
  for (let k = 0; k + 1 < order.length; k += 2) {
    pairs.push([order[k] as number, order[k + 1] as number]);
  }
  return pairs;
}
