import { DeepRegLoaderError } from "@deepreg-loader/core";

/**
 * The four cube corners DeepReg maps, in homogeneous coordinates (rows of `old`, 4 x 4):
 * `(-1, -1, -1, 1)`, `(-1, -1, 1, 1)`, `(-1, 1, -1, 1)`, `(1, -1, -1, 1)`.
 */
export const AFFINE_CORNERS: readonly (readonly [number, number, number, number])[] = [
  [-1, -1, -1, 1],
  [-1, -1, 1, 1],
  [-1, 1, -1, 1],
  [1, -1, -1, 1],
];

/**
 * DeepReg's affine `theta` from its noise (spec/augmentation.md): `noise` is 4 x 3 (12 numbers,
 * row-major), `new = old[:, :3] * noise`, and `theta` (4 x 3, row-major) solves
 * `old @ theta = new` exactly. With `old`'s rows `r0..r3` as in `AFFINE_CORNERS`, per column `c`:
 * `t2c = (n1c - n0c) / 2`, `t1c = (n2c - n0c) / 2`, `t0c = (n3c - n0c) / 2`,
 * `t3c = n0c + t0c + t1c + t2c` (DeepReg's least squares gives the same, `old` being invertible).
 * Noise of all ones gives the identity `[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]`.
 *
 * Throws `INVALID_ARGUMENT` unless `noise` holds 12 finite numbers.
 */
export function affineFromNoise(noise: ArrayLike<number>): number[] {
  const n = Array.from({ length: noise.length }, (_, i) => noise[i] as number);
  if (n.length !== 12 || n.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `affineFromNoise: expected noise as 12 finite numbers (4 x 3, row-major), found ${n.length} value${n.length === 1 ? "" : "s"}${n.length === 12 ? " with a non-finite one" : ""}`,
    );
  }
  // new[r][c] = old[r][c] * noise[r][c]
  const target = (r: number, c: number): number => ((AFFINE_CORNERS[r] as readonly number[])[c] as number) * (n[r * 3 + c] as number);
  const theta = new Array<number>(12);
  for (let c = 0; c < 3; c++) {
    const n0 = target(0, c);
    const t2 = (target(1, c) - n0) / 2;
    const t1 = (target(2, c) - n0) / 2;
    const t0 = (target(3, c) - n0) / 2;
    theta[c] = t0;
    theta[3 + c] = t1;
    theta[6 + c] = t2;
    theta[9 + c] = n0 + t0 + t1 + t2;
  }
  return theta;
}
