import seedrandom from "seedrandom";

/** A source of uniform numbers in [0, 1), like `Math.random` (which nothing here calls). */
export type Random = () => number;

/**
 * A seeded stream for one purpose: `seedrandom(`${seed}/${scope.join("/")}`)` (ARC4).
 * One seed is derived per scope (epoch, purpose, ...), so streams do not share draws:
 * `randomFor(42, 3, "order")` seeds with the string `"42/3/order"`.
 */
export function randomFor(seed: number, ...scope: Array<string | number>): Random {
  const prng = seedrandom(`${seed}/${scope.join("/")}`);
  return () => prng();
}

/**
 * Fisher–Yates shuffle into a new array (the input is not touched). Walks from the end and
 * draws one number per element, like d3-array's `shuffler(random)`, so both give the same
 * permutation for the same stream.
 */
export function shuffle<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  let m = out.length;
  while (m > 0) {
    const i = Math.floor(random() * m--);
    const t = out[m] as T;
    out[m] = out[i] as T;
    out[i] = t;
  }
  return out;
}

/** An integer uniform in [0, n), for n >= 1. */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}
