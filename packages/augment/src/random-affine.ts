import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Random } from "@deepreg-loader/samplers";
import { affineFromNoise } from "./affine-from-noise.js";

/** DeepReg's default `scale` of the `affine` transform. */
export const DEFAULT_AFFINE_SCALE = 0.1;

/** Options of {@link randomAffine}. */
export interface RandomAffineOptions {
  /** Noise is uniform in `[1 - scale, 1]`; `0 <= scale <= 1`. Default 0.1 (DeepReg's). */
  scale?: number;
}

/** The record of an affine transform: `theta`, DeepReg's 4 x 3 matrix, row-major. */
export interface AffineRecord {
  /** Always `affine`. */
  name: "affine";
  /** DeepReg's 4 x 3 matrix, 12 numbers, row-major (`theta[r * 3 + c]`). */
  theta: number[];
}

/**
 * DeepReg's random affine (spec/augmentation.md): 12 draws of `random`, noise entry `e`
 * (row-major 4 x 3) `= (1 - scale) + scale * random()`, then `affineFromNoise`.
 * Throws `INVALID_ARGUMENT` unless `0 <= scale <= 1`.
 */
export function randomAffine(random: Random, options: RandomAffineOptions = {}): AffineRecord {
  const scale = options.scale ?? DEFAULT_AFFINE_SCALE;
  if (typeof scale !== "number" || !(scale >= 0 && scale <= 1)) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `randomAffine: expected 0 <= scale <= 1, found ${String(scale)}`);
  }
  const noise = Array.from({ length: 12 }, () => 1 - scale + scale * random());
  return { name: "affine", theta: affineFromNoise(noise) };
}
