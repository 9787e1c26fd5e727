import { posix } from "node:path";
import { DEFAULT_MAX_BYTES, INTRA_GROUP_OPTIONS, SPLITS } from "@deepreg-loader/core";
import type { DataFormat, DatasetType, Split } from "@deepreg-loader/core";
import { didYouMean } from "./did-you-mean.js";
import { describeValue, isMapping } from "./problems.js";
import type { ProblemList } from "./problems.js";
import type { DatasetConfig, IntraGroupOption, Shape3, SplitConfig } from "./types.js";

const DATASET_TYPES: readonly DatasetType[] = ["paired", "unpaired", "grouped"];
const FORMATS: readonly DataFormat[] = ["nifti", "h5"];
const SPLIT_KEYS = ["dir", "format", "labeled"] as const;
const GROUPED_KEYS = ["intra_group_prob", "intra_group_option", "sample_image_in_group"] as const;
/** Keys of the v0.1.1 layout: `dataset.dir.<split>` plus top-level `format` and `labeled`. */
const OLD_LAYOUT_KEYS = ["dir", "format", "labeled"] as const;
const DATASET_KEYS = [
  "type",
  ...SPLITS,
  "moving_image_shape",
  "fixed_image_shape",
  "image_shape",
  ...GROUPED_KEYS,
  ...OLD_LAYOUT_KEYS,
];
/** Other spellings users write for a format (lower-case). */
const FORMAT_ALIASES: Readonly<Record<string, DataFormat>> = {
  nii: "nifti",
  "nii.gz": "nifti",
  ".nii": "nifti",
  ".nii.gz": "nifti",
  nifti1: "nifti",
  "nifti-1": "nifti",
  nifti2: "nifti",
  "nifti-2": "nifti",
  hdf5: "h5",
  hdf: "h5",
  ".h5": "h5",
  h5py: "h5",
};

const EXPECT_DATASET = "a mapping with type, train, valid, test and the image shapes";
const EXPECT_TYPE = `one of ${DATASET_TYPES.join(", ")}`;
const EXPECT_FORMAT = `one of ${FORMATS.join(", ")}`;
const EXPECT_BOOL = "true or false";
const EXPECT_SHAPE = "a list of three positive integers [dim1, dim2, dim3]";
const EXPECT_SPLIT = "a mapping with dir, format and labeled, or nothing";
const EXPECT_DIR = "a directory or a list of directories";

/** Where each split with data got its `labeled` value from (for rules across sections). */
export interface LabeledSource {
  split: Split;
  labeled: boolean;
  /** `dataset.<split>.labeled`, or `dataset.labeled` in the v0.1.1 layout. */
  path: string;
}

export interface DatasetValidation {
  /** The normalised section, when it has no error. */
  dataset: DatasetConfig | undefined;
  labeled: LabeledSource[];
}

/** Validates and normalises the `dataset:` section, adding every problem to `problems`. */
export function validateDataset(value: unknown, problems: ProblemList, maxBytes: number = DEFAULT_MAX_BYTES): DatasetValidation {
  if (!isMapping(value)) {
    problems.expected("dataset", EXPECT_DATASET, value);
    return { dataset: undefined, labeled: [] };
  }
  const errorsBefore = problems.errors.length;

  for (const key of Object.keys(value)) {
    if (!DATASET_KEYS.includes(key)) {
      problems.unknownKey(`dataset.${key}`, key, DATASET_KEYS, didYouMean(key, DATASET_KEYS));
    }
  }

  const type = checkType(value.type, problems);
  const old = readOldLayout(value, problems);
  const splits: Partial<Record<Split, SplitConfig | null>> = {};
  const labeled: LabeledSource[] = [];
  let anyDir = false;
  for (const split of SPLITS) {
    const result = checkSplit(split, value[split], old, problems);
    anyDir ||= result.hasDir;
    if (result.config !== undefined) splits[split] = result.config;
    if (result.labeled !== undefined) labeled.push(result.labeled);
  }
  if (!anyDir) {
    problems.error({
      path: "dataset",
      message: "expected at least one of train, valid, test with a dir, found none",
      expected: "at least one of train, valid, test with a dir",
      found: "none",
    });
  }

  const shapes = checkShapes(value, type, problems, maxBytes);
  const grouped = checkGrouped(value, type, problems);

  if (problems.errors.length > errorsBefore || type === undefined || shapes === undefined) {
    return { dataset: undefined, labeled };
  }
  const dataset: DatasetConfig = {
    type,
    train: splits.train ?? null,
    valid: splits.valid ?? null,
    test: splits.test ?? null,
    ...shapes,
    ...grouped,
  };
  return { dataset, labeled };
}

function checkType(value: unknown, problems: ProblemList): DatasetType | undefined {
  if (typeof value === "string" && (DATASET_TYPES as readonly string[]).includes(value)) {
    return value as DatasetType;
  }
  const suggestion = typeof value === "string" ? didYouMean(value, DATASET_TYPES) : undefined;
  problems.expected("dataset.type", EXPECT_TYPE, value, suggestion);
  return undefined;
}

/** What the v0.1.1 layout gives each split (values validated once, where they are written). */
interface OldLayout {
  dirs: Record<string, unknown> | undefined;
  /** `undefined`: not written; `null`: written but invalid (already reported). */
  format: DataFormat | null | undefined;
  labeled: boolean | null | undefined;
}

function readOldLayout(dataset: Record<string, unknown>, problems: ProblemList): OldLayout {
  const present = OLD_LAYOUT_KEYS.filter((key) => dataset[key] !== undefined);
  if (present.length > 0) {
    const found = `the DeepReg v0.1.1 layout (${present.map((key) => `dataset.${key}`).join(", ")})`;
    problems.warn({
      path: `dataset.${present[0]}`,
      message: `expected the current layout dataset.<split>: { dir, format, labeled }, found ${found}; read as the current layout`,
      expected: "dataset.<split>: { dir, format, labeled }",
      found,
    });
  }

  let dirs: Record<string, unknown> | undefined;
  const dir = dataset.dir;
  if (isMapping(dir)) {
    dirs = dir;
    for (const key of Object.keys(dir)) {
      if (!(SPLITS as readonly string[]).includes(key)) {
        problems.unknownKey(`dataset.dir.${key}`, key, SPLITS, didYouMean(key, SPLITS));
      }
    }
  } else if (dir !== undefined && dir !== null) {
    problems.expected("dataset.dir", "a mapping of train, valid, test to directories (DeepReg v0.1.1 layout)", dir);
  }

  const format = dataset.format === undefined ? undefined : (checkFormat(dataset.format, "dataset.format", problems) ?? null);
  const labeled =
    dataset.labeled === undefined ? undefined : (checkBoolean(dataset.labeled, "dataset.labeled", problems) ?? null);
  return { dirs, format, labeled };
}

interface SplitResult {
  /** `null`: no data for this split; `undefined`: invalid (reported). */
  config: SplitConfig | null | undefined;
  /** A non-empty dir was written (valid or not). */
  hasDir: boolean;
  labeled: LabeledSource | undefined;
}

function checkSplit(split: Split, value: unknown, old: OldLayout, problems: ProblemList): SplitResult {
  const base = `dataset.${split}`;
  if (value !== undefined && value !== null && !isMapping(value)) {
    problems.expected(base, EXPECT_SPLIT, value);
    return { config: undefined, hasDir: true, labeled: undefined };
  }
  const own: Record<string, unknown> = isMapping(value) ? value : {};
  for (const key of Object.keys(own)) {
    if (!(SPLIT_KEYS as readonly string[]).includes(key)) {
      problems.unknownKey(`${base}.${key}`, key, SPLIT_KEYS, didYouMean(key, SPLIT_KEYS));
    }
  }

  // The split's own keys win over the v0.1.1 layout's (more specific wins).
  const oldDir = old.dirs?.[split];
  let dirValue = own.dir;
  let dirPath = `${base}.dir`;
  if (own.dir === undefined && old.dirs !== undefined && Object.hasOwn(old.dirs, split)) {
    dirValue = oldDir;
    dirPath = `dataset.dir.${split}`;
  } else if (own.dir !== undefined && !isEmptyDir(oldDir)) {
    problems.warn({
      path: `dataset.dir.${split}`,
      message: `ignored, ${base}.dir is given too (a split's own keys win over the v0.1.1 layout)`,
      found: describeValue(oldDir),
    });
  }
  const dirs = checkDirs(dirValue, dirPath, problems);

  // Without a dir the split has no data: its format and labeled may be missing.
  let format: DataFormat | null | undefined = old.format;
  if (own.format !== undefined) format = checkFormat(own.format, `${base}.format`, problems) ?? null;
  else if (format === undefined && dirs !== null) problems.expected(`${base}.format`, EXPECT_FORMAT, undefined);
  let labeled: boolean | null | undefined = old.labeled;
  let labeledPath = "dataset.labeled";
  if (own.labeled !== undefined) {
    labeled = checkBoolean(own.labeled, `${base}.labeled`, problems) ?? null;
    labeledPath = `${base}.labeled`;
  } else if (labeled === undefined && dirs !== null) {
    problems.expected(`${base}.labeled`, EXPECT_BOOL, undefined);
  }

  if (dirs === null) return { config: null, hasDir: false, labeled: undefined };
  const labeledSource = typeof labeled === "boolean" ? { split, labeled, path: labeledPath } : undefined;
  if (dirs === undefined || typeof format !== "string" || typeof labeled !== "boolean") {
    return { config: undefined, hasDir: true, labeled: labeledSource };
  }
  return { config: { dir: dirs, format, labeled }, hasDir: true, labeled: labeledSource };
}

function isEmptyDir(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/** `null`: no directory (the split has no data); `undefined`: invalid (reported). */
function checkDirs(value: unknown, path: string, problems: ProblemList): string[] | null | undefined {
  if (isEmptyDir(value)) return null;
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) {
    problems.expected(path, EXPECT_DIR, value);
    return undefined;
  }
  let ok = true;
  const firstAt = new Map<string, number>();
  value.forEach((item: unknown, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== "string" || item === "") {
      problems.expected(itemPath, "a directory (a non-empty string)", item);
      ok = false;
      return;
    }
    const key = dirKey(item);
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, index);
      return;
    }
    const found = describeValue(item);
    problems.error({
      path: itemPath,
      message: `expected each directory once, found ${found} again (first at ${path}[${first}])`,
      expected: "each directory once",
      found,
    });
    ok = false;
  });
  return ok ? (value as string[]) : undefined;
}

/** Two spellings of the same directory (`a/b`, `./a/b/`, `a\b`) give the same key. */
function dirKey(dir: string): string {
  const normal = posix.normalize(dir.replace(/\\/g, "/"));
  return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
}

function checkFormat(value: unknown, path: string, problems: ProblemList): DataFormat | undefined {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if ((FORMATS as readonly string[]).includes(lower)) return lower as DataFormat;
    problems.expected(path, EXPECT_FORMAT, value, didYouMean(value, FORMATS, FORMAT_ALIASES));
    return undefined;
  }
  problems.expected(path, EXPECT_FORMAT, value);
  return undefined;
}

function checkBoolean(value: unknown, path: string, problems: ProblemList): boolean | undefined {
  if (typeof value === "boolean") return value;
  problems.expected(path, EXPECT_BOOL, value, booleanSuggestion(value));
  return undefined;
}

/** `"yes"` (quoted, so a string) probably meant `true`. */
function booleanSuggestion(value: unknown): boolean | undefined {
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  if (["true", "yes", "on", "y"].includes(word)) return true;
  if (["false", "no", "off", "n"].includes(word)) return false;
  return undefined;
}

type Shapes = Pick<DatasetConfig, "moving_image_shape" | "fixed_image_shape" | "image_shape">;

function checkShapes(
  dataset: Record<string, unknown>,
  type: DatasetType | undefined,
  problems: ProblemList,
  maxBytes: number,
): Shapes | undefined {
  const shape = (key: string, required: boolean): Shape3 | undefined => {
    const value = dataset[key];
    if (value === undefined && !required) return undefined;
    return checkShape(value, `dataset.${key}`, problems, maxBytes);
  };
  if (type === undefined) {
    // Without a valid type, which shapes are required is unknown: check those written.
    shape("moving_image_shape", false);
    shape("fixed_image_shape", false);
    shape("image_shape", false);
    return undefined;
  }
  if (type === "paired") {
    const moving = shape("moving_image_shape", true);
    const fixed = shape("fixed_image_shape", true);
    if (dataset.image_shape !== undefined) {
      problems.warn({
        path: "dataset.image_shape",
        message: "ignored for paired data, which uses moving_image_shape and fixed_image_shape",
        found: describeValue(dataset.image_shape),
      });
    }
    return moving && fixed ? { moving_image_shape: moving, fixed_image_shape: fixed } : undefined;
  }
  const image = shape("image_shape", true);
  for (const key of ["moving_image_shape", "fixed_image_shape"]) {
    if (dataset[key] !== undefined) {
      problems.warn({
        path: `dataset.${key}`,
        message: `ignored for ${type} data, which uses image_shape for moving and fixed images`,
        found: describeValue(dataset[key]),
      });
    }
  }
  return image
    ? { moving_image_shape: [...image], fixed_image_shape: [...image], image_shape: image }
    : undefined;
}

function checkShape(value: unknown, path: string, problems: ProblemList, maxBytes: number): Shape3 | undefined {
  if (!Array.isArray(value)) {
    problems.expected(path, EXPECT_SHAPE, value);
    return undefined;
  }
  let ok = value.length === 3;
  if (!ok) problems.expected(path, EXPECT_SHAPE, value);
  value.forEach((item: unknown, index) => {
    if (typeof item !== "number" || !Number.isInteger(item) || item <= 0) {
      problems.expected(`${path}[${index}]`, "a positive integer", item);
      ok = false;
    }
  });
  if (!ok) return undefined;
  // Every volume is resized to this shape as float32: it must fit the readers' size cap.
  const bytes = (value as number[]).reduce((a, b) => a * b, 4);
  if (bytes > maxBytes) {
    const expected = `a shape of at most ${formatBytes(maxBytes)} as float32 (maxBytes)`;
    const found = describeValue(value);
    const size = Number.isSafeInteger(bytes) ? String(bytes) : bytes.toPrecision(4);
    problems.error({ path, message: `expected ${expected}, found ${found} (${size} bytes as float32)`, expected, found });
    return undefined;
  }
  return [...value] as Shape3;
}


function formatBytes(n: number): string {
  if (n >= 2 ** 30 && Number.isInteger(n / 2 ** 30)) return `${n / 2 ** 30} GiB`;
  if (n >= 2 ** 20 && Number.isInteger(n / 2 ** 20)) return `${n / 2 ** 20} MiB`;
  return `${n} bytes`;
}

type Grouped = Pick<DatasetConfig, "intra_group_prob" | "intra_group_option" | "sample_image_in_group">;

function checkGrouped(
  dataset: Record<string, unknown>,
  type: DatasetType | undefined,
  problems: ProblemList,
): Grouped {
  if (type !== undefined && type !== "grouped") {
    for (const key of GROUPED_KEYS) {
      if (dataset[key] !== undefined) {
        problems.warn({
          path: `dataset.${key}`,
          message: `ignored for ${type} data (grouped data only)`,
          found: describeValue(dataset[key]),
        });
      }
    }
    return {};
  }
  // Grouped: all three are required, as in DeepReg. Without a valid type: check those written.
  const required = type === "grouped";

  const prob = dataset.intra_group_prob;
  const probOk = typeof prob === "number" && prob >= 0 && prob <= 1;
  if (!probOk && (required || prob !== undefined)) {
    problems.expected("dataset.intra_group_prob", "a number between 0 and 1", prob);
  }

  const option = dataset.intra_group_option;
  const optionOk = typeof option === "string" && (INTRA_GROUP_OPTIONS as readonly string[]).includes(option);
  if (!optionOk && (required || option !== undefined)) {
    const suggestion = typeof option === "string" ? didYouMean(option, INTRA_GROUP_OPTIONS) : undefined;
    problems.expected("dataset.intra_group_option", `one of ${INTRA_GROUP_OPTIONS.join(", ")}`, option, suggestion);
  }

  const sampleValue = dataset.sample_image_in_group;
  const sample =
    required || sampleValue !== undefined
      ? checkBoolean(sampleValue, "dataset.sample_image_in_group", problems)
      : undefined;
  if (probOk && prob > 0 && prob < 1 && sample === false) {
    problems.expected(
      "dataset.sample_image_in_group",
      `true because intra_group_prob is ${prob} (mixing intra- and inter-group pairs is only supported when sampling)`,
      false,
    );
  }
  if (!required || !probOk || !optionOk || sample === undefined) return {};
  return {
    intra_group_prob: prob,
    intra_group_option: option as IntraGroupOption,
    sample_image_in_group: sample,
  };
}
