import { describe, expect, it } from "vitest";
import type { ValidationResult } from "./problems.js";
import type { DeepRegConfig } from "./types.js";
import { validateConfig } from "./validate-config.js";

const DATASET = {
  type: "paired",
  train: { dir: "d", format: "nifti", labeled: true },
  moving_image_shape: [5, 4, 3],
  fixed_image_shape: [3, 4, 5],
};

function trainOf(result: ValidationResult): DeepRegConfig["train"] {
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.config.train;
}

function lines(result: ValidationResult): string[] {
  if (result.ok) throw new Error("expected validation errors, the config is valid");
  return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe("validateConfig: train.preprocess", () => {
  it("validateConfig(no train section) -> preprocess defaults batch_size 1, shuffle_buffer_num_batch 1, num_parallel_calls -1", () => {
    expect(trainOf(validateConfig({ dataset: DATASET }))).toEqual({
      preprocess: { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
    });
    expect(trainOf(validateConfig({ dataset: DATASET, train: null }))).toEqual({
      preprocess: { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
    });
  });

  it("validateConfig(train without preprocess) keeps the rest of train as written", () => {
    const train = { method: "ddf", backbone: { name: "local", extract_levels: [0, 1] }, epochs: 2 };
    expect(trainOf(validateConfig({ dataset: DATASET, train }))).toEqual({
      ...train,
      preprocess: { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
    });
  });

  it("validateConfig(preprocess written) keeps its values, data_augmentation and unknown keys as written", () => {
    const preprocess = {
      batch_size: 4,
      shuffle_buffer_num_batch: 0,
      num_parallel_calls: 2,
      data_augmentation: [{ name: "affine" }, { name: "ddf", field_strength: 1 }],
      prefetch: 3,
    };
    expect(trainOf(validateConfig({ dataset: DATASET, train: { preprocess } }))).toEqual({ preprocess });
  });

  it.each([
    ["batch_size", 0, "a positive integer", "0"],
    ["batch_size", 2.5, "a positive integer", "2.5"],
    ["batch_size", "4", "a positive integer", '"4"'],
    ["batch_size", null, "a positive integer", "null"],
    ["shuffle_buffer_num_batch", -1, "an integer >= 0 (0 turns the shuffle buffer off)", "-1"],
    ["num_parallel_calls", 0, "-1 (one per core) or a positive integer", "0"],
    ["num_parallel_calls", -2, "-1 (one per core) or a positive integer", "-2"],
  ])("validateConfig(train.preprocess.%s: %j) -> expected %s", (key, value, expected, found) => {
    const result = validateConfig({ dataset: DATASET, train: { preprocess: { [key]: value } } });
    expect(result.ok ? [] : result.errors).toEqual([
      { path: `train.preprocess.${key}`, message: `expected ${expected}, found ${found}`, expected, found },
    ]);
  });

  it("validateConfig(train / preprocess not a mapping) -> one error each", () => {
    expect(lines(validateConfig({ dataset: DATASET, train: "ddf" }))).toEqual([
      `train: expected a mapping (DeepReg's train section), found "ddf"`,
    ]);
    expect(lines(validateConfig({ dataset: DATASET, train: { preprocess: [4] } }))).toEqual([
      "train.preprocess: expected a mapping with batch_size, shuffle_buffer_num_batch and num_parallel_calls, found [4]",
    ]);
  });
});

describe("validateConfig: whole config", () => {
  it("validateConfig(other sections and unknown top-level keys) keeps them as written", () => {
    const input = { dataset: DATASET, inference: { batch_size: 3 }, comment: "x", list: [1, { a: 2 }] };
    const result = validateConfig(input);
    expect(result.ok && result.config).toEqual({
      dataset: {
        type: "paired",
        train: { dir: ["d"], format: "nifti", labeled: true },
        valid: null,
        test: null,
        moving_image_shape: [5, 4, 3],
        fixed_image_shape: [3, 4, 5],
      },
      train: { preprocess: { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 } },
      inference: { batch_size: 3 },
      comment: "x",
      list: [1, { a: 2 }],
    });
  });

  it("validateConfig(input) neither modifies its input nor shares objects with the result", () => {
    const input = { dataset: structuredClone(DATASET), train: { preprocess: { batch_size: 2 }, loss: { w: 1 } } };
    const before = structuredClone(input);
    const result = validateConfig(input);
    expect(input).toEqual(before);
    if (!result.ok) throw new Error("expected a valid config");
    (result.config.train.loss as { w: number }).w = 5;
    result.config.dataset.moving_image_shape[0] = 9;
    expect(input).toEqual(before);
  });

  it.each([
    [null, "null"],
    [[1], "[1]"],
    ["dataset", '"dataset"'],
  ])("validateConfig(%j) -> the top level must be a mapping", (value, found) => {
    expect(validateConfig(value)).toEqual({
      ok: false,
      errors: [
        {
          path: "",
          message: `expected a mapping of sections (dataset, train, ...), found ${found}`,
          expected: "a mapping of sections (dataset, train, ...)",
          found,
        },
      ],
      warnings: [],
    });
  });

  it('validateConfig(train.method "conditional" on unlabeled splits) -> error per unlabeled split', () => {
    const dataset = {
      ...DATASET,
      valid: { dir: "v", format: "h5", labeled: true },
      test: { dir: "t", format: "h5", labeled: false },
      train: { dir: "d", format: "h5", labeled: false },
    };
    expect(lines(validateConfig({ dataset, train: { method: "conditional" } }))).toEqual([
      'dataset.train.labeled: expected true (train.method "conditional" needs labeled data), found false',
      'dataset.test.labeled: expected true (train.method "conditional" needs labeled data), found false',
    ]);
    expect(validateConfig({ dataset, train: { method: "ddf" } }).ok).toBe(true);
  });

  it('validateConfig(train.method "conditional", v0.1.1 dataset.labeled false) -> one error at dataset.labeled', () => {
    const dataset = { ...DATASET, train: undefined, dir: { train: "a", test: "b" }, format: "h5", labeled: false };
    expect(lines(validateConfig({ dataset, train: { method: "conditional" } }))).toEqual([
      'dataset.labeled: expected true (train.method "conditional" needs labeled data), found false',
    ]);
  });
});
