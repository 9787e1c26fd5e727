import { describe, expect, it } from "vitest";
import { planSlabs } from "./read-slabs.js";

describe("planSlabs", () => {
  it("planSlabs([5,4,3], 4 bytes, 48) -> 1 row of axis 0 per read", () => {
    expect(planSlabs([5, 4, 3], 4, 48)).toEqual({ axis: 0, step: 1 });
  });
  it("planSlabs([5,4,3], 4 bytes, 100) -> 2 rows of axis 0", () => {
    expect(planSlabs([5, 4, 3], 4, 100)).toEqual({ axis: 0, step: 2 });
  });
  it("planSlabs([5,4,3], 4 bytes, 30) -> axis 1, 2 at a time", () => {
    expect(planSlabs([5, 4, 3], 4, 30)).toEqual({ axis: 1, step: 2 });
  });
  it("planSlabs([5,4,3], 8 bytes, 8) -> one value at a time along the last axis", () => {
    expect(planSlabs([5, 4, 3], 8, 8)).toEqual({ axis: 2, step: 1 });
  });
  it("planSlabs([100,4,3], 4 bytes, 48*7, chunks [3,4,3]) -> step 6, a multiple of the chunk", () => {
    expect(planSlabs([100, 4, 3], 4, 48 * 7, [3, 4, 3])).toEqual({ axis: 0, step: 6 });
  });
  it("planSlabs([256,256,256], 4 bytes, 256 MiB) -> the whole axis", () => {
    expect(planSlabs([256, 256, 256], 4, 2 ** 28)).toEqual({ axis: 0, step: 256 });
  });
});
