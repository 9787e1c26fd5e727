import { clonePlain } from "./merge-configs.js";
import { isMapping } from "./problems.js";
import type { ProblemList } from "./problems.js";
import type { DeepRegConfig, PreprocessConfig } from "./types.js";

/** Defaults of `train.preprocess` (DeepReg has none; see docs/decisions.md). */
export const PREPROCESS_DEFAULTS: Readonly<Pick<PreprocessConfig, "batch_size" | "shuffle_buffer_num_batch" | "num_parallel_calls">> = {
  batch_size: 1,
  shuffle_buffer_num_batch: 1,
  num_parallel_calls: -1,
};

/**
 * Validates and defaults `train.preprocess`; the rest of `train` (DeepReg's model, loss,
 * optimizer, ...) is kept as written. An absent or empty `train` gives the defaults.
 */
export function validateTrain(value: unknown, problems: ProblemList): DeepRegConfig["train"] | undefined {
  if (value !== undefined && value !== null && !isMapping(value)) {
    problems.expected("train", "a mapping (DeepReg's train section)", value);
    return undefined;
  }
  const train = isMapping(value) ? value : {};
  const preprocess = train.preprocess;
  if (preprocess !== undefined && preprocess !== null && !isMapping(preprocess)) {
    problems.expected("train.preprocess", "a mapping with batch_size, shuffle_buffer_num_batch and num_parallel_calls", preprocess);
    return undefined;
  }
  const written = isMapping(preprocess) ? preprocess : {};

  const integer = (key: keyof typeof PREPROCESS_DEFAULTS, expected: string, ok: (n: number) => boolean): number | undefined => {
    const v = written[key];
    if (v === undefined) return PREPROCESS_DEFAULTS[key];
    if (typeof v === "number" && Number.isInteger(v) && ok(v)) return v;
    problems.expected(`train.preprocess.${key}`, expected, v);
    return undefined;
  };
  const batchSize = integer("batch_size", "a positive integer", (n) => n > 0);
  const shuffle = integer("shuffle_buffer_num_batch", "an integer >= 0 (0 turns the shuffle buffer off)", (n) => n >= 0);
  const parallel = integer("num_parallel_calls", "-1 (one per core) or a positive integer", (n) => n === -1 || n > 0);
  if (batchSize === undefined || shuffle === undefined || parallel === undefined) return undefined;

  return {
    ...(clonePlain(train) as Record<string, unknown>),
    preprocess: {
      ...(clonePlain(written) as Record<string, unknown>),
      batch_size: batchSize,
      shuffle_buffer_num_batch: shuffle,
      num_parallel_calls: parallel,
    },
  };
}
