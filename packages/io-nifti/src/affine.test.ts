import { describe, expect, test } from "vitest";
import { baseAffine, qformAffine, qformOfAffine } from "./affine.js";

function expectClose(a: number[][], b: number[][], digits: number): void {
  a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i]![j]!, digits)));
}

describe("affine", () => {
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const cases: [string, number[][]][] = [
    ["diagonal", [[2, 0, 0, 1], [0, 3, 0, 2], [0, 0, 4, 3], [0, 0, 0, 1]]],
    ["x flipped (qfac -1)", [[-2, 0, 0, 1], [0, 3, 0, 2], [0, 0, 4, 3], [0, 0, 0, 1]]],
    ["axes permuted", [[0, 0, 4, 0], [2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0, 1]]],
    ["rotated 0.3 rad about z", [[2 * c, -3 * s, 0, 5], [2 * s, 3 * c, 0, -5], [0, 0, 4, 0], [0, 0, 0, 1]]],
    ["180 deg about x", [[1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, 1]]],
  ];
  test.each(cases)("qformAffine(qformOfAffine(%s)) gives it back", (_, affine) => {
    const q = qformOfAffine(affine);
    expect(q?.exact).toBe(true);
    const back = qformAffine([q!.quaternB, q!.quaternC, q!.quaternD], q!.zooms, q!.qfac, q!.offset, 1e-12);
    expectClose(back!, affine, 12);
  });

  test("qformOfAffine(singular) is undefined", () => {
    expect(qformOfAffine([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).toBeUndefined();
  });

  test("baseAffine([3,5,7], [3,2,1]) as nibabel's doc example", () => {
    expect(baseAffine([3, 5, 7], [3, 2, 1])).toEqual([
      [-3, 0, 0, 3],
      [0, 2, 0, -4],
      [0, 0, 1, -3],
      [0, 0, 0, 1],
    ]);
  });

  test("baseAffine([4,6], [2,3]) pads the third axis with 1", () => {
    expect(baseAffine([4, 6], [2, 3])).toEqual([
      [-2, 0, 0, 3],
      [0, 3, 0, -7.5],
      [0, 0, 1, -0],
      [0, 0, 0, 1],
    ]);
  });
});
