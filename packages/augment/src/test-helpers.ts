import { createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import type { Random } from "@deepreg-loader/samplers";

/** A `Random` that returns `values` in order and counts the draws; throws when they run out. */
export function scripted(values: number[]): Random & { draws: () => number } {
  let n = 0;
  const random = (() => {
    if (n >= values.length) throw new Error(`scripted random: only ${values.length} values`);
    return values[n++] as number;
  }) as Random & { draws: () => number };
  random.draws = () => n;
  return random;
}

/** Pseudo-random values in [0, 1) of an asymmetric shape (not linear, so axis mix-ups show). */
export function noisy(shape: number[], salt = 0): Volume {
  const size = shape.reduce((a, b) => a * b, 1);
  return createVolume(Float32Array.from({ length: size }, (_, n) => (((n + salt) * 7919) % 997) / 997), shape);
}
