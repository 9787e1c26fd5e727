import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Random } from "@deepreg-loader/samplers";
import { randomNormal } from "./random-normal.js";

/** DeepReg's defaults of the `ddf` transform. */
export const DEFAULT_FIELD_STRENGTH = 1;
/** DeepReg's default `low_res_size` of the `ddf` transform. */
export const DEFAULT_LOW_RES_SIZE: readonly [number, number, number] = [1, 1, 1];

/** Options of {@link randomDdf}. */
export interface RandomDdfOptions {
  /** Each component's strength is uniform in `[0, fieldStrength]`; `>= 0`. Default 1. */
  fieldStrength?: number;
  /** Shape of the low-resolution field, each axis `>= 1` and `<=` the image's. Default `[1, 1, 1]`. */
  lowResSize?: readonly [number, number, number];
}

/**
 * The record of a DDF transform: the low-resolution field `lowResShape` `[l1, l2, l3]`, values
 * row-major `(l1, l2, l3, 3)`, already multiplied by the drawn strengths.
 */
export interface DdfRecord {
  /** Always `ddf`. */
  name: "ddf";
  /** Shape `[l1, l2, l3]` of the low-resolution field. */
  lowResShape: [number, number, number];
  /** The low-resolution field, row-major `(l1, l2, l3, 3)`, strengths applied. */
  lowResField: number[];
}

/**
 * DeepReg's random DDF (spec/augmentation.md) for an image of spatial `shape`: 3 draws for the
 * strengths `s[c] = fieldStrength * random()`, then `l1 * l2 * l3 * 3` standard normals (two
 * draws each, `randomNormal`), row-major `(l1, l2, l3, 3)`, component `c` multiplied by `s[c]`.
 * The full field is `ddfFromLowRes(record.lowResField, record.lowResShape, shape)`.
 *
 * Throws `INVALID_ARGUMENT` when `fieldStrength < 0`, `lowResSize` is not three integers
 * `>= 1`, or an axis of `lowResSize` exceeds `shape`'s.
 */
export function randomDdf(random: Random, shape: readonly number[], options: RandomDdfOptions = {}): DdfRecord {
  const fieldStrength = options.fieldStrength ?? DEFAULT_FIELD_STRENGTH;
  const lowResSize = options.lowResSize ?? DEFAULT_LOW_RES_SIZE;
  if (typeof fieldStrength !== "number" || !(fieldStrength >= 0) || !Number.isFinite(fieldStrength)) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `randomDdf: expected a finite fieldStrength >= 0, found ${String(fieldStrength)}`);
  }
  if (lowResSize.length !== 3 || lowResSize.some((l) => !Number.isInteger(l) || l < 1)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `randomDdf: expected lowResSize as three integers >= 1, found [${lowResSize.join(", ")}]`,
    );
  }
  if (lowResSize.some((l, a) => l > (shape[a] ?? 0))) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `randomDdf: lowResSize [${lowResSize.join(", ")}] exceeds the image shape [${shape.join(", ")}]`,
    );
  }
  const strength = [fieldStrength * random(), fieldStrength * random(), fieldStrength * random()];
  const count = (lowResSize[0] as number) * (lowResSize[1] as number) * (lowResSize[2] as number) * 3;
  const lowResField = new Array<number>(count);
  for (let n = 0; n < count; n++) lowResField[n] = (strength[n % 3] as number) * randomNormal(random);
  return { name: "ddf", lowResShape: [...lowResSize] as [number, number, number], lowResField };
}
