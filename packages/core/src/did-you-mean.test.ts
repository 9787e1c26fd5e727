import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "./did-you-mean.js";

describe("editDistance", () => {
  it.each([
    ["paired", "paired", 0],
    ["pared", "paired", 1],
    ["paried", "paired", 1], // transposition counts once
    ["foward", "forward", 1],
    ["nii", "nifti", 2],
    ["", "h5", 2],
    ["kitten", "sitting", 3],
  ])("editDistance(%j, %j) = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("didYouMean", () => {
  const types = ["paired", "unpaired", "grouped"];
  it.each([
    ["pared", "paired"],
    ["Paired", "paired"],
    ["unpared", "unpaired"],
    ["grouppd", "grouped"],
    ["GROUPED", "grouped"],
  ])("didYouMean(%j, types) = %j", (input, expected) => {
    expect(didYouMean(input, types)).toBe(expected);
  });

  it("didYouMean(far-off word, types) is undefined", () => {
    expect(didYouMean("registration", types)).toBeUndefined();
    expect(didYouMean("xyz", types)).toBeUndefined();
  });

  it("didYouMean(short word, [nifti, h5]) needs fewer edits than the candidate's length", () => {
    expect(didYouMean("h4", ["nifti", "h5"])).toBe("h5");
    expect(didYouMean("ab", ["nifti", "h5"])).toBeUndefined();
    expect(didYouMean("nii", ["nifti", "h5"])).toBe("nifti");
  });

  it("didYouMean(alias, candidates, aliases) maps other spellings", () => {
    expect(didYouMean("HDF5", ["nifti", "h5"], { hdf5: "h5" })).toBe("h5");
    expect(didYouMean("constructor", ["nifti", "h5"], { hdf5: "h5" })).toBeUndefined();
  });

  it("didYouMean(word, candidates) prefers the closest, then the first", () => {
    expect(didYouMean("moving_image_shap", ["image_shape", "moving_image_shape", "fixed_image_shape"])).toBe(
      "moving_image_shape",
    );
    expect(didYouMean("ab", ["abc", "abd"])).toBe("abc");
  });
});
