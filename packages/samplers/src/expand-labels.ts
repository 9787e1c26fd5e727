import { DeepRegLoaderError, type LabelSampling } from "@deepreg-loader/core";
import { randomFor, randomInt } from "./random.js";
import { assertCount, assertOneOf, assertSeedEpoch, describe } from "./validate.js";

const LABEL_SAMPLINGS: readonly LabelSampling[] = ["sample", "all"];

/**
 * Appends the label index to each pair. `labelCounts[k]` is the number of label channels of
 * `pairs[k]` (moving and fixed already checked equal by the caller), or `null` when the data
 * are unlabeled: every pair then gets label index -1, whatever the mode.
 *
 * - `"sample"`: one label index per pair, uniform in `0..C-1`, from the `"labels"` stream of
 *   the epoch (one draw per pair, so the pair order and the other streams are untouched).
 * - `"all"`: one entry per label channel, `0..C-1` in order, consecutive.
 *
 * Returns new arrays. Throws INVALID_ARGUMENT for an unknown mode, `labelCounts` of a different
 * length than `pairs`, a count below 1 (labeled data have at least one label per sample), a
 * non-finite seed or a negative epoch.
 */
export function expandLabels(
  pairs: readonly number[][],
  labelCounts: readonly number[] | null,
  mode: LabelSampling,
  options: { seed: number; epoch: number },
): number[][] {
  assertOneOf("mode", mode, LABEL_SAMPLINGS);
  assertSeedEpoch(options);
  if (labelCounts === null) return pairs.map((pair) => [...pair, -1]);
  if (!Array.isArray(labelCounts) || labelCounts.length !== pairs.length) {
    const found = Array.isArray(labelCounts) ? `${labelCounts.length} counts` : describe(labelCounts);
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `labelCounts must have one count per pair (${pairs.length}), found ${found}`,
      { details: { numPairs: pairs.length } },
    );
  }
  labelCounts.forEach((count, k) => {
    assertCount(`labelCounts[${k}]`, count);
    if (count < 1) {
      throw new DeepRegLoaderError(
        "INVALID_ARGUMENT",
        `labelCounts[${k}] must be >= 1 for labeled data (pair [${pairs[k]?.join(", ")}]), found 0`,
        { details: { pair: pairs[k], labelCount: count } },
      );
    }
  });
  if (mode === "sample") {
    const random = randomFor(options.seed, options.epoch, "labels");
    return pairs.map((pair, k) => [...pair, randomInt(random, labelCounts[k] as number)]);
  }
  const out: number[][] = [];
  pairs.forEach((pair, k) => {
    const count = labelCounts[k] as number;
    for (let c = 0; c < count; c++) out.push([...pair, c]);
  });
  return out;
}
