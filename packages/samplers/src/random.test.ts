import { describe, expect, it } from "vitest";
import seedrandom from "seedrandom";
import { randomFor, shuffle } from "./random.js";
import { histogram, range } from "./test-helpers.js";

describe("randomFor", () => {
  it('randomFor(42, 0, "order") = seedrandom("42/0/order")', () => {
    const random = randomFor(42, 0, "order");
    expect([random(), random(), random()]).toEqual([0.5342273304758368, 0.45367489701780195, 0.9912688373089135]);
    const reference = seedrandom("42/0/order");
    const again = randomFor(42, 0, "order");
    for (let i = 0; i < 20; i++) expect(again()).toBe(reference());
  });

  it("randomFor(seed, ...scope) differs per seed, epoch and purpose", () => {
    const first = (seed: number, ...scope: Array<string | number>) => randomFor(seed, ...scope)();
    const values = [first(42, 0, "order"), first(42, 1, "order"), first(43, 0, "order"), first(42, 0, "labels")];
    expect(new Set(values).size).toBe(4);
    expect(first(42, 1, "order")).toBe(0.01662743500001438);
  });

  it("randomFor(seed) values lie in [0, 1)", () => {
    const random = randomFor(7);
    for (let i = 0; i < 1000; i++) {
      const x = random();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe("shuffle", () => {
  it('shuffle(0..9, randomFor(1, "test"))', () => {
    expect(shuffle(range(10), randomFor(1, "test"))).toEqual([0, 6, 9, 5, 3, 2, 7, 1, 8, 4]);
  });

  it("shuffle(items, random) returns a new array and leaves items untouched", () => {
    const items = Object.freeze(["a", "b", "c", "d"]);
    const out = shuffle(items, randomFor(3));
    expect(out).not.toBe(items);
    expect([...out].sort()).toEqual(["a", "b", "c", "d"]);
    expect(items).toEqual(["a", "b", "c", "d"]);
  });

  it("shuffle([], random) and shuffle([x], random)", () => {
    expect(shuffle([], randomFor(0))).toEqual([]);
    expect(shuffle(["x"], randomFor(0))).toEqual(["x"]);
  });

  it("shuffle(items, () => 0) walks from the end like d3-array's shuffler", () => {
    // d3: m = 4 swaps [3] with [0], m = 3 swaps [2] with [0], m = 2 swaps [1] with [0].
    expect(shuffle([0, 1, 2, 3], () => 0)).toEqual([1, 2, 3, 0]);
    expect(shuffle([0, 1, 2, 3], () => 0.999)).toEqual([0, 1, 2, 3]);
  });

  it("shuffle([0, 1, 2]) gives each of the 6 orders about equally over 3000 draws", () => {
    const random = randomFor(11, "uniformity");
    const counts = histogram(range(3000).map(() => shuffle([0, 1, 2], random).join("")));
    expect(counts.size).toBe(6);
    for (const count of counts.values()) expect(count).toBeGreaterThan(350); // expected 500
    for (const count of counts.values()) expect(count).toBeLessThan(650);
  });
});
