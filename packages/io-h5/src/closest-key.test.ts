import { describe, expect, it } from "vitest";
import { closestKey } from "./closest-key.js";

const KEYS = ["case000000.nii.gz", "case000001.nii.gz", "group-1-1", "g"];

describe("closestKey", () => {
  it('closestKey("case00001.nii.gz", keys) -> one deletion away', () => {
    expect(closestKey("case00001.nii.gz", KEYS)).toBe("case000001.nii.gz");
  });
  it('closestKey("case000001", keys) -> the key it is a prefix of', () => {
    expect(closestKey("case000001", KEYS)).toBe("case000001.nii.gz");
  });
  it('closestKey("GROUP-1-1", keys) -> case-insensitive match', () => {
    expect(closestKey("GROUP-1-1", KEYS)).toBe("group-1-1");
  });
  it('closestKey("G", keys) -> "g"', () => {
    expect(closestKey("G", KEYS)).toBe("g");
  });
  it('closestKey("moving", keys) -> undefined (nothing close)', () => {
    expect(closestKey("moving", KEYS)).toBeUndefined();
  });
  it('closestKey("x", []) -> undefined', () => {
    expect(closestKey("x", [])).toBeUndefined();
  });
});
