// The words of DeepReg's dataset config, once: splits, intra-group options, the grouped
// sampling defaults and the label-sampling default of each split. Config validates against
// them, the samplers plan with them, the loader and the CLI default from them.
import type { LabelSampling, Split } from "./sample.js";

/** The splits of a dataset config, in DeepReg's order. */
export const SPLITS: readonly Split[] = ["train", "valid", "test"];

/**
 * How two images of one group are ordered: `forward` moving index < fixed index,
 * `backward` moving index > fixed index, `unconstrained` any two different images.
 */
export type IntraGroupOption = "forward" | "backward" | "unconstrained";

/** The values of `IntraGroupOption`. */
export const INTRA_GROUP_OPTIONS: readonly IntraGroupOption[] = ["forward", "backward", "unconstrained"];

/**
 * Grouped sampling when a dataset object handed to the loader leaves a key out (a YAML config
 * must write all three, as DeepReg requires): intra-group pairs, forward, one pair per group.
 */
export const GROUPED_DEFAULTS = {
  intra_group_prob: 1,
  intra_group_option: "forward",
  sample_image_in_group: true,
} as const satisfies { intra_group_prob: number; intra_group_option: IntraGroupOption; sample_image_in_group: boolean };

/** DeepReg's label choice per split: `train` samples one label per pair, `valid`/`test` iterate all. */
export function defaultLabelSampling(split: Split): LabelSampling {
  return split === "train" ? "sample" : "all";
}
