import seedrandom from "seedrandom";

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** A seeded random source (seedrandom's default ARC4 generator). */
export function seeded(seed: string | number): Random {
  return seedrandom(String(seed));
}

/** A standard normal draw (Box-Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
