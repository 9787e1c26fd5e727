import { describe, expect, it } from "vitest";
import type { ConfigProblem, ValidationResult } from "./problems.js";
import type { DatasetConfig } from "./types.js";
import { validateConfig } from "./validate-config.js";

// Small asymmetric shapes so a swapped moving/fixed or axis shows.
function paired(overrides: Record<string, unknown> = {}): { dataset: Record<string, unknown> } {
  return {
    dataset: {
      type: "paired",
      train: { dir: "data/train", format: "nifti", labeled: true },
      valid: null,
      test: { dir: ["data/test1", "data/test2"], format: "h5", labeled: false },
      moving_image_shape: [5, 4, 3],
      fixed_image_shape: [3, 4, 6],
      ...overrides,
    },
  };
}

function grouped(overrides: Record<string, unknown> = {}): { dataset: Record<string, unknown> } {
  return {
    dataset: {
      type: "grouped",
      train: { dir: "g/train", format: "h5", labeled: false },
      image_shape: [5, 4, 3],
      intra_group_prob: 1,
      intra_group_option: "forward",
      sample_image_in_group: true,
      ...overrides,
    },
  };
}

function errorsOf(result: ValidationResult): ConfigProblem[] {
  if (result.ok) throw new Error("expected validation errors, the config is valid");
  return result.errors;
}

function datasetOf(result: ValidationResult): DatasetConfig {
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.config.dataset;
}

const SHAPE = "a list of three positive integers [dim1, dim2, dim3]";

describe("validateConfig: dataset section", () => {
  it("validateConfig(paired) normalises dir to a list, keeps split order and shapes", () => {
    const result = validateConfig(paired());
    expect(datasetOf(result)).toEqual({
      type: "paired",
      train: { dir: ["data/train"], format: "nifti", labeled: true },
      valid: null,
      test: { dir: ["data/test1", "data/test2"], format: "h5", labeled: false },
      moving_image_shape: [5, 4, 3],
      fixed_image_shape: [3, 4, 6],
    });
    expect(result.warnings).toEqual([]);
  });

  it("validateConfig(unpaired) copies image_shape to moving and fixed", () => {
    const input = paired({ type: "unpaired", image_shape: [5, 4, 3] });
    delete input.dataset.moving_image_shape;
    delete input.dataset.fixed_image_shape;
    expect(datasetOf(validateConfig(input))).toEqual({
      type: "unpaired",
      train: { dir: ["data/train"], format: "nifti", labeled: true },
      valid: null,
      test: { dir: ["data/test1", "data/test2"], format: "h5", labeled: false },
      moving_image_shape: [5, 4, 3],
      fixed_image_shape: [5, 4, 3],
      image_shape: [5, 4, 3],
    });
  });

  it("validateConfig(grouped) keeps the three grouped settings", () => {
    expect(datasetOf(validateConfig(grouped({ intra_group_prob: 0.25, intra_group_option: "unconstrained" })))).toEqual({
      type: "grouped",
      train: { dir: ["g/train"], format: "h5", labeled: false },
      valid: null,
      test: null,
      moving_image_shape: [5, 4, 3],
      fixed_image_shape: [5, 4, 3],
      image_shape: [5, 4, 3],
      intra_group_prob: 0.25,
      intra_group_option: "unconstrained",
      sample_image_in_group: true,
    });
  });

  it.each([
    ["Nifti", "nifti"],
    ["NIFTI", "nifti"],
    ["H5", "h5"],
  ])("validateConfig(format: %j) reads format case-insensitively as %j", (format, expected) => {
    const result = validateConfig(paired({ train: { dir: "d", format, labeled: true } }));
    expect(datasetOf(result).train).toEqual({ dir: ["d"], format: expected, labeled: true });
  });

  it.each([
    ["an empty string", ""],
    ["an empty list", []],
    ["null", null],
    ["absent", undefined],
  ])("validateConfig(valid.dir %s) makes that split null", (_, dir) => {
    const valid = dir === undefined ? { format: "nifti", labeled: true } : { dir, format: "nifti", labeled: true };
    expect(datasetOf(validateConfig(paired({ valid }))).valid).toBeNull();
  });

  it("validateConfig(split without dir) ignores its missing format and labeled", () => {
    expect(datasetOf(validateConfig(paired({ valid: { labeled: true }, test: {} })))).toMatchObject({
      valid: null,
      test: null,
    });
  });

  it('validateConfig(type: "pared") -> did you mean "paired"', () => {
    expect(errorsOf(validateConfig(paired({ type: "pared" })))).toEqual([
      {
        path: "dataset.type",
        message: 'expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)',
        expected: "one of paired, unpaired, grouped",
        found: '"pared"',
        suggestion: "paired",
      },
    ]);
  });

  it("validateConfig(type missing / a number / far off) has no suggestion", () => {
    const missing = paired();
    delete missing.dataset.type;
    expect(errorsOf(validateConfig(missing)).map((e) => e.message)).toEqual([
      "expected one of paired, unpaired, grouped, found nothing",
    ]);
    expect(errorsOf(validateConfig(paired({ type: 3 })))[0]?.message).toBe(
      "expected one of paired, unpaired, grouped, found 3",
    );
    expect(errorsOf(validateConfig(paired({ type: "registration" })))[0]?.suggestion).toBeUndefined();
  });

  it('validateConfig(intra_group_option: "foward") -> did you mean "forward"', () => {
    expect(errorsOf(validateConfig(grouped({ intra_group_option: "foward" })))).toEqual([
      {
        path: "dataset.intra_group_option",
        message: 'expected one of forward, backward, unconstrained, found "foward" (did you mean "forward"?)',
        expected: "one of forward, backward, unconstrained",
        found: '"foward"',
        suggestion: "forward",
      },
    ]);
  });

  it("validateConfig(fixed_image_shape: [8, 8]) -> a shape of two numbers", () => {
    expect(errorsOf(validateConfig(paired({ fixed_image_shape: [8, 8] })))).toEqual([
      { path: "dataset.fixed_image_shape", message: `expected ${SHAPE}, found [8, 8]`, expected: SHAPE, found: "[8, 8]" },
    ]);
  });

  it("validateConfig(moving_image_shape: [5, 0, 2.5]) -> one error per bad entry", () => {
    expect(errorsOf(validateConfig(paired({ moving_image_shape: [5, 0, 2.5] })))).toEqual([
      {
        path: "dataset.moving_image_shape[1]",
        message: "expected a positive integer, found 0",
        expected: "a positive integer",
        found: "0",
      },
      {
        path: "dataset.moving_image_shape[2]",
        message: "expected a positive integer, found 2.5",
        expected: "a positive integer",
        found: "2.5",
      },
    ]);
  });

  it('validateConfig(image_shape: [-4, "16"]) -> wrong length and both entries', () => {
    const input = grouped({ image_shape: [-4, "16"] });
    expect(errorsOf(validateConfig(input)).map((e) => `${e.path}: ${e.message}`)).toEqual([
      `dataset.image_shape: expected ${SHAPE}, found [-4, "16"]`,
      "dataset.image_shape[0]: expected a positive integer, found -4",
      'dataset.image_shape[1]: expected a positive integer, found "16"',
    ]);
  });

  it("validateConfig(image_shape: 16 / missing) for unpaired", () => {
    const bad = validateConfig({ dataset: { ...grouped().dataset, type: "unpaired", image_shape: 16 } });
    expect(errorsOf(bad).map((e) => `${e.path}: ${e.message}`)).toEqual([`dataset.image_shape: expected ${SHAPE}, found 16`]);
    const missing = paired();
    delete missing.dataset.fixed_image_shape;
    expect(errorsOf(validateConfig(missing)).map((e) => `${e.path}: ${e.message}`)).toEqual([
      `dataset.fixed_image_shape: expected ${SHAPE}, found nothing`,
    ]);
  });

  it.each([
    [1.5, "1.5"],
    [-0.1, "-0.1"],
    ["0.5", '"0.5"'],
    [undefined, "nothing"],
  ])("validateConfig(intra_group_prob: %j) -> expected a number between 0 and 1", (prob, found) => {
    expect(errorsOf(validateConfig(grouped({ intra_group_prob: prob })))).toEqual([
      {
        path: "dataset.intra_group_prob",
        message: `expected a number between 0 and 1, found ${found}`,
        expected: "a number between 0 and 1",
        found,
      },
    ]);
  });

  it("validateConfig(intra_group_prob: 0.5, sample_image_in_group: false) -> mixing is an error", () => {
    expect(errorsOf(validateConfig(grouped({ intra_group_prob: 0.5, sample_image_in_group: false })))).toEqual([
      {
        path: "dataset.sample_image_in_group",
        message:
          "expected true because intra_group_prob is 0.5 (mixing intra- and inter-group pairs is only supported when sampling), found false",
        expected:
          "true because intra_group_prob is 0.5 (mixing intra- and inter-group pairs is only supported when sampling)",
        found: "false",
      },
    ]);
  });

  it.each([0, 1])("validateConfig(intra_group_prob: %i, sample_image_in_group: false) is valid", (prob) => {
    const dataset = datasetOf(validateConfig(grouped({ intra_group_prob: prob, sample_image_in_group: false })));
    expect([dataset.intra_group_prob, dataset.sample_image_in_group]).toEqual([prob, false]);
  });

  it("validateConfig(grouped without its settings) requires all three, as DeepReg does", () => {
    const input = grouped();
    delete input.dataset.intra_group_prob;
    delete input.dataset.intra_group_option;
    delete input.dataset.sample_image_in_group;
    expect(errorsOf(validateConfig(input)).map((e) => `${e.path}: ${e.message}`)).toEqual([
      "dataset.intra_group_prob: expected a number between 0 and 1, found nothing",
      "dataset.intra_group_option: expected one of forward, backward, unconstrained, found nothing",
      "dataset.sample_image_in_group: expected true or false, found nothing",
    ]);
  });

  it('validateConfig(sample_image_in_group: "yes" quoted) -> did you mean true', () => {
    expect(errorsOf(validateConfig(grouped({ sample_image_in_group: "yes" })))).toEqual([
      {
        path: "dataset.sample_image_in_group",
        message: 'expected true or false, found "yes" (did you mean true?)',
        expected: "true or false",
        found: '"yes"',
        suggestion: "true",
      },
    ]);
  });

  it("validateConfig(a directory twice within a split) -> error at the second", () => {
    const train = { dir: ["data/a", "data/b", "./data/a/"], format: "nifti", labeled: true };
    expect(errorsOf(validateConfig(paired({ train })))).toEqual([
      {
        path: "dataset.train.dir[2]",
        message: 'expected each directory once, found "./data/a/" again (first at dataset.train.dir[0])',
        expected: "each directory once",
        found: '"./data/a/"',
      },
    ]);
  });

  it("validateConfig(the same directory in valid and test) is fine", () => {
    const split = { dir: "data/test", format: "nifti", labeled: true };
    expect(validateConfig(paired({ valid: split, test: split })).ok).toBe(true);
  });

  it('validateConfig(dir: ["a", "", 3] / a mapping) -> expected directories', () => {
    const items = validateConfig(paired({ train: { dir: ["a", "", 3], format: "nifti", labeled: true } }));
    expect(errorsOf(items).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'dataset.train.dir[1]: expected a directory (a non-empty string), found ""',
      "dataset.train.dir[2]: expected a directory (a non-empty string), found 3",
    ]);
    const mapping = validateConfig(paired({ train: { dir: { a: 1 }, format: "nifti", labeled: true } }));
    expect(errorsOf(mapping).map((e) => `${e.path}: ${e.message}`)).toEqual([
      "dataset.train.dir: expected a directory or a list of directories, found a mapping (a)",
    ]);
  });

  it.each([
    ["nii", "nifti"],
    ["nii.gz", "nifti"],
    ["nifty", "nifti"],
    ["hdf5", "h5"],
    ["h4", "h5"],
  ])('validateConfig(format: %j) -> did you mean %j', (format, suggestion) => {
    expect(errorsOf(validateConfig(paired({ train: { dir: "d", format, labeled: true } })))).toEqual([
      {
        path: "dataset.train.format",
        message: `expected one of nifti, h5, found "${format}" (did you mean "${suggestion}"?)`,
        expected: "one of nifti, h5",
        found: `"${format}"`,
        suggestion,
      },
    ]);
  });

  it("validateConfig(format: png / 5) has no suggestion", () => {
    expect(errorsOf(validateConfig(paired({ train: { dir: "d", format: "png", labeled: true } })))[0]?.message).toBe(
      'expected one of nifti, h5, found "png"',
    );
    expect(errorsOf(validateConfig(paired({ train: { dir: "d", format: 5, labeled: true } })))[0]?.message).toBe(
      "expected one of nifti, h5, found 5",
    );
  });

  it("validateConfig(unknown key moving_image_shap) -> did you mean moving_image_shape", () => {
    const input = paired({ moving_image_shap: [5, 4, 3] });
    expect(errorsOf(validateConfig(input))[0]).toEqual({
      path: "dataset.moving_image_shap",
      message: 'unknown key (did you mean "moving_image_shape"?)',
      expected:
        "one of type, train, valid, test, moving_image_shape, fixed_image_shape, image_shape, intra_group_prob, intra_group_option, sample_image_in_group, dir, format, labeled",
      found: '"moving_image_shap"',
      suggestion: "moving_image_shape",
    });
  });

  it("validateConfig(unknown key far from any) lists the known keys", () => {
    expect(errorsOf(validateConfig(paired({ batch_size: 2 })))[0]?.message).toBe(
      "unknown key, expected one of type, train, valid, test, moving_image_shape, fixed_image_shape, image_shape, intra_group_prob, intra_group_option, sample_image_in_group, dir, format, labeled",
    );
  });

  it("validateConfig(labled in a split) -> did you mean labeled, and labeled is missing", () => {
    const input = paired({ train: { dir: "d", format: "h5", labled: true } });
    expect(errorsOf(validateConfig(input))).toEqual([
      {
        path: "dataset.train.labled",
        message: 'unknown key (did you mean "labeled"?)',
        expected: "one of dir, format, labeled",
        found: '"labled"',
        suggestion: "labeled",
      },
      {
        path: "dataset.train.labeled",
        message: "expected true or false, found nothing",
        expected: "true or false",
        found: "nothing",
      },
    ]);
  });

  it('validateConfig(labeled: "true" quoted / format missing) in a split with a dir', () => {
    const input = paired({ train: { dir: "d", labeled: "true" } });
    expect(errorsOf(validateConfig(input)).map((e) => `${e.path}: ${e.message}`)).toEqual([
      "dataset.train.format: expected one of nifti, h5, found nothing",
      'dataset.train.labeled: expected true or false, found "true" (did you mean true?)',
    ]);
  });

  it('validateConfig(train: "data/train") -> a split must be a mapping', () => {
    expect(errorsOf(validateConfig(paired({ train: "data/train" }))).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'dataset.train: expected a mapping with dir, format and labeled, or nothing, found "data/train"',
    ]);
  });

  it("validateConfig(no split has a dir) -> one error on dataset", () => {
    expect(errorsOf(validateConfig(paired({ train: null, test: { dir: [] } })))).toEqual([
      {
        path: "dataset",
        message: "expected at least one of train, valid, test with a dir, found none",
        expected: "at least one of train, valid, test with a dir",
        found: "none",
      },
    ]);
  });

  it("validateConfig(dataset missing / a list) -> one error on dataset", () => {
    expect(errorsOf(validateConfig({ train: { epochs: 1 } }))).toEqual([
      {
        path: "dataset",
        message: "expected a mapping with type, train, valid, test and the image shapes, found nothing",
        expected: "a mapping with type, train, valid, test and the image shapes",
        found: "nothing",
      },
    ]);
    expect(errorsOf(validateConfig({ dataset: ["paired"] }))[0]?.found).toBe('["paired"]');
  });

  it("validateConfig(many problems) reports every one at once, in a fixed order", () => {
    const input = {
      dataset: {
        type: "pared",
        moving_image_shap: [16, 16, 16],
        train: { dir: ["a", "a"], format: "nii", labled: true },
        valid: { dir: "v", format: "h5", labeled: "no" },
        fixed_image_shape: [8, 8],
        intra_group_prob: 1.5,
        intra_group_option: "foward",
      },
      train: { preprocess: { batch_size: 0 } },
    };
    expect(errorsOf(validateConfig(input)).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'dataset.moving_image_shap: unknown key (did you mean "moving_image_shape"?)',
      'dataset.type: expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)',
      'dataset.train.labled: unknown key (did you mean "labeled"?)',
      'dataset.train.dir[1]: expected each directory once, found "a" again (first at dataset.train.dir[0])',
      'dataset.train.format: expected one of nifti, h5, found "nii" (did you mean "nifti"?)',
      "dataset.train.labeled: expected true or false, found nothing",
      'dataset.valid.labeled: expected true or false, found "no" (did you mean false?)',
      `dataset.fixed_image_shape: expected ${SHAPE}, found [8, 8]`,
      "dataset.intra_group_prob: expected a number between 0 and 1, found 1.5",
      'dataset.intra_group_option: expected one of forward, backward, unconstrained, found "foward" (did you mean "forward"?)',
      "train.preprocess.batch_size: expected a positive integer, found 0",
    ]);
  });

  it("validateConfig(keys of another dataset type) warns that they are ignored", () => {
    const pairedResult = validateConfig(paired({ image_shape: [2, 2, 2], intra_group_prob: 1 }));
    expect(datasetOf(pairedResult)).not.toHaveProperty("image_shape");
    expect(datasetOf(pairedResult)).not.toHaveProperty("intra_group_prob");
    expect(pairedResult.warnings).toEqual([
      {
        path: "dataset.image_shape",
        message: "ignored for paired data, which uses moving_image_shape and fixed_image_shape",
        found: "[2, 2, 2]",
      },
      { path: "dataset.intra_group_prob", message: "ignored for paired data (grouped data only)", found: "1" },
    ]);
    const unpaired = validateConfig({ dataset: { ...paired().dataset, type: "unpaired", image_shape: [2, 3, 4] } });
    expect(datasetOf(unpaired).moving_image_shape).toEqual([2, 3, 4]);
    expect(unpaired.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "dataset.moving_image_shape: ignored for unpaired data, which uses image_shape for moving and fixed images",
      "dataset.fixed_image_shape: ignored for unpaired data, which uses image_shape for moving and fixed images",
    ]);
  });
});

describe("validateConfig: DeepReg v0.1.1 layout", () => {
  const v011 = (overrides: Record<string, unknown> = {}): { dataset: Record<string, unknown> } => ({
    dataset: {
      dir: { train: "old/train", valid: "old/val", test: null },
      format: "Nifti",
      labeled: false,
      ...grouped().dataset,
      train: undefined,
      ...overrides,
    },
  });
  const LAYOUT_WARNING = {
    path: "dataset.dir",
    message:
      "expected the current layout dataset.<split>: { dir, format, labeled }, found the DeepReg v0.1.1 layout (dataset.dir, dataset.format, dataset.labeled); read as the current layout",
    expected: "dataset.<split>: { dir, format, labeled }",
    found: "the DeepReg v0.1.1 layout (dataset.dir, dataset.format, dataset.labeled)",
  };

  it("validateConfig(dataset.dir.{train,valid,test} + dataset.format/labeled) normalises to splits, with a warning", () => {
    const result = validateConfig(v011());
    expect(datasetOf(result)).toEqual({
      type: "grouped",
      train: { dir: ["old/train"], format: "nifti", labeled: false },
      valid: { dir: ["old/val"], format: "nifti", labeled: false },
      test: null,
      moving_image_shape: [5, 4, 3],
      fixed_image_shape: [5, 4, 3],
      image_shape: [5, 4, 3],
      intra_group_prob: 1,
      intra_group_option: "forward",
      sample_image_in_group: true,
    });
    expect(result.warnings).toEqual([LAYOUT_WARNING]);
  });

  it("validateConfig(v0.1.1 layout + a split's own keys) lets the split's keys win", () => {
    const result = validateConfig(v011({ train: { labeled: true }, valid: { dir: "new/val", format: "h5" } }));
    expect(datasetOf(result)).toMatchObject({
      train: { dir: ["old/train"], format: "nifti", labeled: true },
      valid: { dir: ["new/val"], format: "h5", labeled: false },
    });
    expect(result.warnings).toEqual([
      LAYOUT_WARNING,
      {
        path: "dataset.dir.valid",
        message: "ignored, dataset.valid.dir is given too (a split's own keys win over the v0.1.1 layout)",
        found: '"old/val"',
      },
    ]);
  });

  it("validateConfig(v0.1.1 dir.val, format nii, dir not a mapping) -> errors at their own path, once", () => {
    const typo = validateConfig(v011({ dir: { train: "t", val: "v" }, format: "nii" }));
    expect(errorsOf(typo).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'dataset.dir.val: unknown key (did you mean "valid"?)',
      'dataset.format: expected one of nifti, h5, found "nii" (did you mean "nifti"?)',
    ]);
    const notMapping = validateConfig(v011({ dir: "data" }));
    expect(errorsOf(notMapping).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'dataset.dir: expected a mapping of train, valid, test to directories (DeepReg v0.1.1 layout), found "data"',
      "dataset: expected at least one of train, valid, test with a dir, found none",
    ]);
  });
});
