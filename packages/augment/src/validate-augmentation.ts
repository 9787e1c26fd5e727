import { DeepRegLoaderError, didYouMean } from "@deepreg-loader/core";
import type { AugmentationTransform } from "./draw-augmentation.js";
import { DEFAULT_AFFINE_SCALE } from "./random-affine.js";
import { DEFAULT_FIELD_STRENGTH, DEFAULT_LOW_RES_SIZE } from "./random-ddf.js";

/** Where DeepReg's configs hold the augmentation; the default path of every problem. */
export const AUGMENTATION_CONFIG_PATH = "train.preprocess.data_augmentation";

/** DeepReg's transform names and their arguments (snake_case, as written in the YAML). */
export const AUGMENTATION_ARGUMENTS: Readonly<Record<"affine" | "ddf", readonly string[]>> = {
  affine: ["scale"],
  ddf: ["field_strength", "low_res_size"],
};

/** One problem of an augmentation value: where (dot-path), what was expected, what was found. Same shape as config's `ConfigProblem`. */
export interface AugmentationProblem {
  /** e.g. `train.preprocess.data_augmentation[1].low_res_size`. */
  path: string;
  /** The sentence after the path. */
  message: string;
  /** The name or key the user probably meant. */
  suggestion?: string;
}

/** The outcome of `validateAugmentation`: the normalised transforms, or every problem. */
export type AugmentationValidation =
  | {
      /** `true`: the value is valid. */
      ok: true;
      /** The normalised transforms, in order (empty for none). */
      transforms: AugmentationTransform[];
    }
  | {
      /** `false`: the value is invalid. */
      ok: false;
      /** Every problem, each with its dot-path. */
      problems: AugmentationProblem[];
    };

/** Options of {@link validateAugmentation} and `parseAugmentation`. */
export interface ValidateAugmentationOptions {
  /**
   * The spatial shapes the transforms act on (`moving_image_shape`, `fixed_image_shape`):
   * `low_res_size` must not exceed any of them. Default: not checked.
   */
  imageShapes?: readonly (readonly number[])[];
  /** Dot-path of the value in problems. Default `train.preprocess.data_augmentation`. */
  path?: string;
}

const NAMES = Object.keys(AUGMENTATION_ARGUMENTS);

function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return `[${value.map((v) => (isMapping(v) ? "{...}" : shown(v))).join(", ")}]`;
  if (isMapping(value)) return `a mapping (${Object.keys(value).join(", ")})`;
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/**
 * Checks DeepReg's `train.preprocess.data_augmentation` value and normalises it: a mapping
 * (`{ name: affine }`) or a list of them, applied in order; `null`, `undefined`, `false` and
 * `[]` mean no augmentation. Names and arguments are DeepReg's, with its defaults:
 * `affine` (`scale` 0.1, `0 <= scale <= 1`) and `ddf` (`field_strength` 1, `>= 0`;
 * `low_res_size` `[1, 1, 1]`, three integers `>= 1`, each at most the image shape's axis when
 * `imageShapes` are given). Anything else (another value type, an unknown name or argument,
 * an out-of-range value) is a problem with its dot-path and, for names and keys, a
 * "did you mean". Never throws; see `parseAugmentation` for the throwing form.
 */
export function validateAugmentation(value: unknown, options: ValidateAugmentationOptions = {}): AugmentationValidation {
  const root = options.path ?? AUGMENTATION_CONFIG_PATH;
  const problems: AugmentationProblem[] = [];
  const transforms: AugmentationTransform[] = [];
  if (value === undefined || value === null || value === false) return { ok: true, transforms };
  let entries: Array<[string, unknown]>;
  if (isMapping(value)) entries = [[root, value]];
  else if (Array.isArray(value)) entries = value.map((entry, i) => [`${root}[${i}]`, entry]);
  else {
    problems.push({
      path: root,
      message: `expected a mapping such as { name: affine } or a list of them, found ${shown(value)}`,
    });
    return { ok: false, problems };
  }
  for (const [path, entry] of entries) {
    const transform = checkEntry(path, entry, options.imageShapes ?? [], problems);
    if (transform !== undefined) transforms.push(transform);
  }
  return problems.length === 0 ? { ok: true, transforms } : { ok: false, problems };
}

function checkEntry(
  path: string,
  entry: unknown,
  imageShapes: readonly (readonly number[])[],
  problems: AugmentationProblem[],
): AugmentationTransform | undefined {
  if (!isMapping(entry)) {
    problems.push({ path, message: `expected a mapping with a name (${NAMES.join(" or ")}), found ${shown(entry)}` });
    return undefined;
  }
  const name = entry.name;
  if (typeof name !== "string" || !Object.hasOwn(AUGMENTATION_ARGUMENTS, name)) {
    const suggestion = typeof name === "string" ? didYouMean(name, NAMES) : undefined;
    problems.push({
      path: `${path}.name`,
      message: `expected one of ${NAMES.join(", ")}, found ${shown(name)}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      ...(suggestion ? { suggestion } : {}),
    });
    return undefined;
  }
  const known = AUGMENTATION_ARGUMENTS[name as "affine" | "ddf"];
  const before = problems.length;
  for (const key of Object.keys(entry)) {
    if (key === "name" || known.includes(key)) continue;
    const suggestion = didYouMean(key, known);
    problems.push({
      path: `${path}.${key}`,
      message: `unknown argument of ${name} (its arguments: ${known.join(", ")})${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      ...(suggestion ? { suggestion } : {}),
    });
  }
  if (name === "affine") {
    const scale = entry.scale ?? DEFAULT_AFFINE_SCALE;
    if (typeof scale !== "number" || !(scale >= 0 && scale <= 1)) {
      problems.push({ path: `${path}.scale`, message: `expected a number in [0, 1], found ${shown(entry.scale)}` });
    }
    return problems.length === before ? { name: "affine", scale: scale as number } : undefined;
  }
  const fieldStrength = entry.field_strength ?? DEFAULT_FIELD_STRENGTH;
  if (typeof fieldStrength !== "number" || !Number.isFinite(fieldStrength) || fieldStrength < 0) {
    problems.push({ path: `${path}.field_strength`, message: `expected a number >= 0, found ${shown(entry.field_strength)}` });
  }
  const lowResSize = entry.low_res_size ?? [...DEFAULT_LOW_RES_SIZE];
  if (!Array.isArray(lowResSize) || lowResSize.length !== 3 || lowResSize.some((l) => !Number.isInteger(l) || (l as number) < 1)) {
    problems.push({
      path: `${path}.low_res_size`,
      message: `expected three integers >= 1 such as [1, 1, 1], found ${shown(entry.low_res_size)}`,
    });
  } else {
    for (const shape of imageShapes) {
      const axis = lowResSize.findIndex((l, a) => (l as number) > (shape[a] ?? Infinity));
      if (axis >= 0) {
        problems.push({
          path: `${path}.low_res_size`,
          message: `[${lowResSize.join(", ")}] exceeds the image shape [${shape.join(", ")}] on axis ${axis} (each axis must be at most the image's)`,
        });
        break;
      }
    }
  }
  if (problems.length !== before) return undefined;
  return { name: "ddf", fieldStrength: fieldStrength as number, lowResSize: [...(lowResSize as number[])] as [number, number, number] };
}

/**
 * `validateAugmentation`, throwing: the normalised transforms, or an `INVALID_CONFIG` error
 * whose message lists every problem on its own line (`path: message`), with the problems in
 * `details.problems`.
 */
export function parseAugmentation(value: unknown, options: ValidateAugmentationOptions = {}): AugmentationTransform[] {
  const result = validateAugmentation(value, options);
  if (result.ok) return result.transforms;
  const lines = result.problems.map((p) => `${p.path}: ${p.message}`);
  throw new DeepRegLoaderError(
    "INVALID_CONFIG",
    `invalid augmentation (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    { details: { problems: result.problems } },
  );
}
