// dataset/volume-rules.ts: the rules about one volume (its shape, its values), shared by the
// dataset rules (on the scan) and by the loader's preprocessing (on each volume it reads), so
// `check` and the loader cannot disagree. Pure; may import dataset/problem only.
import { problem } from "./problem.js";
import type { Problem } from "./problem.js";

const shapeText = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** An image must be 3D with no empty axis (`SHAPE`). */
export function imageShapeProblem(shape: readonly number[], file: string, key?: string): Problem | undefined {
  if (shape.length === 3 && shape.every((d) => d > 0)) return undefined;
  const empty = shape.length === 3 ? "an empty volume of " : "";
  return problem("images-3d", "SHAPE", file, key, `expected a 3D image, found ${empty}${shape.length}D shape ${shapeText(shape)}`);
}

/** A label must be 3D or 4D (channels last, at least one channel) with no empty axis (`SHAPE`). */
export function labelShapeProblem(shape: readonly number[], file: string, key?: string): Problem | undefined {
  const dims = shape.length === 3 || shape.length === 4;
  if (dims && shape.every((d) => d > 0)) return undefined;
  const empty = dims ? "an empty volume of " : "";
  return problem(
    "labels-3d-4d",
    "SHAPE",
    file,
    key,
    `expected a 3D or 4D label (channels last), found ${empty}${shape.length}D shape ${shapeText(shape)}`,
  );
}

/** Number of label channels of a label shape (3D: 1, 4D: the last dimension). */
export function labelChannels(shape: readonly number[]): number {
  return shape.length === 4 ? (shape[3] as number) : 1;
}

function foundValues(range: { min: number; max: number }): string {
  return Number.isNaN(range.min) || Number.isNaN(range.max) ? "NaN values" : `values from ${range.min} to ${range.max}`;
}

/**
 * An image is normalised as `(x - min + EPS) / (max - min + EPS)` in float32: its values must
 * be finite and `max - min` finite in float32 too (else every value becomes 0 or NaN), `VALUE_RANGE`.
 */
export function imageRangeProblem(range: { min: number; max: number }, file: string, key?: string): Problem | undefined {
  const { min, max } = range;
  const width = Math.fround(Math.fround(max) - Math.fround(min));
  if (Number.isFinite(min) && Number.isFinite(max) && Number.isFinite(width)) return undefined;
  const why = Number.isFinite(min) && Number.isFinite(max) ? " (max - min overflows float32)" : "";
  return problem(
    "image-value-range",
    "VALUE_RANGE",
    file,
    key,
    `image values must be finite with a finite range max - min, found ${foundValues(range)}${why}`,
  );
}

/** Every label value must lie in [0, 1] (`LABEL_RANGE`). */
export function labelRangeProblem(range: { min: number; max: number }, file: string, key?: string): Problem | undefined {
  if (range.min >= 0 && range.max <= 1) return undefined;
  return problem("label-range", "LABEL_RANGE", file, key, `label values must be in [0, 1], found ${foundValues(range)}`);
}
