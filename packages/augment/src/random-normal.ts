import type { Random } from "@deepreg-loader/samplers";

/**
 * A standard normal from two uniform draws (Box-Muller, cosine branch only):
 * `sqrt(-2 ln(1 - u1)) * cos(2 pi u2)`. `1 - u1` is in (0, 1], so the log is finite.
 * Two draws per value, so streams stay aligned however the values are used.
 */
export function randomNormal(random: Random): number {
  const u1 = random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}
