import { describe, expect, it } from "vitest";
import { normaliseDatasetConfig } from "./normalise-dataset.js";
import { isNormalisedDataset } from "./normalised.js";
import { validateConfig } from "./validate-config.js";

const written = {
  type: "unpaired",
  train: { dir: "data/train", format: "nifti", labeled: true },
  image_shape: [4, 5, 6],
};

describe("normaliseDatasetConfig", () => {
  it("normaliseDatasetConfig(validateConfig(...).config.dataset) is that object itself: used as it is, not validated again", () => {
    const result = validateConfig({ dataset: written });
    if (!result.ok) throw new Error("expected a valid config");
    const dataset = result.config.dataset;
    expect(isNormalisedDataset(dataset)).toBe(true);
    expect(normaliseDatasetConfig(dataset)).toBe(dataset);
  });

  it("normaliseDatasetConfig(config.dataset changed by hand) validates it again: moving/fixed shapes kept, a bad value is INVALID_CONFIG", () => {
    const result = validateConfig({ dataset: written });
    if (!result.ok) throw new Error("expected a valid config");
    const dataset = result.config.dataset;
    dataset.fixed_image_shape = [2, 2, 2];
    expect(isNormalisedDataset(dataset)).toBe(false);
    const normalised = normaliseDatasetConfig(dataset);
    expect(normalised).not.toBe(dataset);
    expect([normalised.moving_image_shape, normalised.fixed_image_shape]).toEqual([[4, 5, 6], [2, 2, 2]]);
    dataset.fixed_image_shape = [0, 2, 2];
    expect(() => normaliseDatasetConfig(dataset)).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
  });

  it("normaliseDatasetConfig(YAML-form object) validates and normalises it; the whole config is INVALID_ARGUMENT", () => {
    const dataset = normaliseDatasetConfig(written);
    expect(dataset.train).toEqual({ dir: ["data/train"], format: "nifti", labeled: true });
    expect(dataset.moving_image_shape).toEqual([4, 5, 6]);
    expect(isNormalisedDataset(dataset)).toBe(true);
    expect(() => normaliseDatasetConfig({ dataset: written })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
