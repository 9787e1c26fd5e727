import { describe, expect, it } from "vitest";
import { parseAugmentation, validateAugmentation } from "./validate-augmentation.js";

const P = "train.preprocess.data_augmentation";

describe("validateAugmentation", () => {
  it("validateAugmentation({ name: affine }) fills DeepReg's default scale 0.1", () => {
    expect(validateAugmentation({ name: "affine" })).toEqual({ ok: true, transforms: [{ name: "affine", scale: 0.1 }] });
  });

  it("validateAugmentation([affine, ddf]) keeps the order and fills ddf's defaults", () => {
    expect(validateAugmentation([{ name: "affine", scale: 0.2 }, { name: "ddf" }, { name: "ddf", field_strength: 0, low_res_size: [2, 3, 4] }])).toEqual({
      ok: true,
      transforms: [
        { name: "affine", scale: 0.2 },
        { name: "ddf", fieldStrength: 1, lowResSize: [1, 1, 1] },
        { name: "ddf", fieldStrength: 0, lowResSize: [2, 3, 4] },
      ],
    });
  });

  it.each([undefined, null, false, []])("validateAugmentation(%j) is no augmentation", (value) => {
    expect(validateAugmentation(value)).toEqual({ ok: true, transforms: [] });
  });

  it.each([
    ["affine", `${P}: expected a mapping such as { name: affine } or a list of them, found "affine"`],
    [true, `${P}: expected a mapping such as { name: affine } or a list of them, found true`],
    [[{ name: "afine" }], `${P}[0].name: expected one of affine, ddf, found "afine" (did you mean "affine"?)`],
    [{ name: "DDF" }, `${P}.name: expected one of affine, ddf, found "DDF" (did you mean "ddf"?)`],
    [{ name: "rotate" }, `${P}.name: expected one of affine, ddf, found "rotate"`],
    [{ scale: 0.1 }, `${P}.name: expected one of affine, ddf, found nothing`],
    [["affine"], `${P}[0]: expected a mapping with a name (affine or ddf), found "affine"`],
    [{ name: "affine", scale: 1.5 }, `${P}.scale: expected a number in [0, 1], found 1.5`],
    [{ name: "affine", scale: "0.1" }, `${P}.scale: expected a number in [0, 1], found "0.1"`],
    [{ name: "affine", scal: 0.2 }, `${P}.scal: unknown argument of affine (its arguments: scale) (did you mean "scale"?)`],
    [{ name: "ddf", field_strength: -1 }, `${P}.field_strength: expected a number >= 0, found -1`],
    [{ name: "ddf", fieldStrength: 2 }, `${P}.fieldStrength: unknown argument of ddf (its arguments: field_strength, low_res_size) (did you mean "field_strength"?)`],
    [{ name: "ddf", low_res_size: [1, 0, 1] }, `${P}.low_res_size: expected three integers >= 1 such as [1, 1, 1], found [1, 0, 1]`],
    [{ name: "ddf", low_res_size: 2 }, `${P}.low_res_size: expected three integers >= 1 such as [1, 1, 1], found 2`],
  ])("validateAugmentation(%j) reports one problem", (value, line) => {
    const result = validateAugmentation(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([line]);
  });

  it("validateAugmentation(ddf low_res_size larger than an image) names the shape and axis", () => {
    const result = validateAugmentation([{ name: "ddf", low_res_size: [4, 70, 4] }], { imageShapes: [[64, 64, 60], [44, 59, 41]] });
    expect(result).toEqual({
      ok: false,
      problems: [{ path: `${P}[0].low_res_size`, message: "[4, 70, 4] exceeds the image shape [64, 64, 60] on axis 1 (each axis must be at most the image's)" }],
    });
    expect(validateAugmentation({ name: "ddf", low_res_size: [44, 59, 41] }, { imageShapes: [[64, 64, 60], [44, 59, 41]] }).ok).toBe(true);
  });

  it("validateAugmentation(several bad entries) reports every problem, with suggestions", () => {
    const result = validateAugmentation([{ name: "afine" }, { name: "ddf", field_strenght: 1, low_res_size: [0] }], { path: "augmentation" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { path: "augmentation[0].name", message: 'expected one of affine, ddf, found "afine" (did you mean "affine"?)', suggestion: "affine" },
      { path: "augmentation[1].field_strenght", message: 'unknown argument of ddf (its arguments: field_strength, low_res_size) (did you mean "field_strength"?)', suggestion: "field_strength" },
      { path: "augmentation[1].low_res_size", message: "expected three integers >= 1 such as [1, 1, 1], found [0]" },
    ]);
  });
});

describe("parseAugmentation", () => {
  it("parseAugmentation({ name: affine, scale: 0 }) returns the transforms", () => {
    expect(parseAugmentation({ name: "affine", scale: 0 })).toEqual([{ name: "affine", scale: 0 }]);
  });

  it("parseAugmentation(bad) throws INVALID_CONFIG naming train.preprocess.data_augmentation", () => {
    let error: unknown;
    try {
      parseAugmentation({ name: "afine" });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "INVALID_CONFIG",
      message: `invalid augmentation (1 problem):\n${P}.name: expected one of affine, ddf, found "afine" (did you mean "affine"?)`,
      details: { problems: [{ path: `${P}.name`, suggestion: "affine" }] },
    });
  });
});
