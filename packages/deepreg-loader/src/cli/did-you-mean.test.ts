import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "./did-you-mean.js";

describe("didYouMean", () => {
  it.each([
    ["chek", ["info", "check", "export", "preview"], "check"],
    ["inof", ["info", "check", "export", "preview"], "info"],
    ["exp", ["info", "check", "export", "preview"], "export"],
    ["prevew", ["info", "check", "export", "preview"], "preview"],
    ["--sed", ["--seed", "--split", "--out"], "--seed"],
    ["TRAIN", ["train", "valid", "test"], "train"],
    ["validation", ["train", "valid", "test"], undefined],
    ["zzz", ["train", "valid", "test"], undefined],
  ])("didYouMean(%j, %j) = %j", (input, candidates, expected) => {
    expect(didYouMean(input, candidates)).toBe(expected);
  });

  it("editDistance counts a transposition as one edit", () => {
    expect([editDistance("inof", "info"), editDistance("kitten", "sitting"), editDistance("", "abc")]).toEqual([1, 3, 3]);
  });
});
