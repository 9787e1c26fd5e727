// dataset/rules.ts: the one list of dataset rules, `(scan, config) => Problem[]`. `checkDataset`
// reports what every rule finds; `createDataLoader` throws the first error; `info` shows them.
// A rule of the spec lives here (or in volume-rules.ts for one volume) and nowhere else.
// Rules that judge the configs alone (`configOnly`) come first: the loader applies them before
// it reads any file. Pure; may import core, config (types), samplers, augment and dataset/.
import { validateAugmentation } from "@deepreg-loader/augment";
import type { DatasetConfig } from "@deepreg-loader/config";
import { GROUPED_DEFAULTS } from "@deepreg-loader/core";
import type { Split } from "@deepreg-loader/core";
import { groupSizeRequirement } from "@deepreg-loader/samplers";
import { splitOrder } from "./order.js";
import { problem, warning, where } from "./problem.js";
import type { Problem } from "./problem.js";
import type { DatasetScan, ScannedDir, ScannedTop, ScannedVolume } from "./scan.js";
import { imageRangeProblem, imageShapeProblem, labelChannels, labelRangeProblem, labelShapeProblem } from "./volume-rules.js";

/** What the rules judge besides the scan and the dataset config. */
export interface RuleInputs {
  /**
   * DeepReg's `train.preprocess.data_augmentation` value the train split applies (a mapping, a
   * list of them, or `false`/`null`/`undefined` for none). Default: none.
   */
  augmentation?: unknown;
}

/** A named rule over a scan. */
export interface ScanRule {
  /** The rule's name (`Problem.rule` of what it finds). */
  name: string;
  /** What it requires, one line (docs and `check --help`). */
  requires: string;
  /** Absent or `false`: the rule judges a scan. */
  configOnly?: false;
  /** Every problem (errors and warnings) the rule finds in `scan`; empty when it holds. */
  apply(scan: DatasetScan, config: DatasetConfig, inputs: RuleInputs): Problem[];
}

/** A named rule over the configs alone (no file): the loader applies it before the scan. */
export interface ConfigRule {
  /** The rule's name (`Problem.rule` of what it finds). */
  name: string;
  /** What it requires, one line (docs and `check --help`). */
  requires: string;
  /** `true`: the rule judges the configs only, before any file is read. */
  configOnly: true;
  /** Every problem the rule finds in the configs of `split`; empty when it holds. */
  apply(split: Split, config: DatasetConfig, inputs: RuleInputs): Problem[];
}

/** A dataset rule: over a scan (`ScanRule`) or over the configs alone (`ConfigRule`). */
export type DatasetRule = ScanRule | ConfigRule;

const shapeText = (shape: readonly number[]): string => `[${shape.join(", ")}]`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

const volumesOf = (scan: DatasetScan, kind: "image" | "label"): { top: ScannedTop; volume: ScannedVolume }[] =>
  scan.dirs.flatMap((d) => d.tops.filter((t) => t.kind === kind).flatMap((top) => top.volumes.map((volume) => ({ top, volume }))));

const perVolume =
  (kind: "image" | "label", check: (v: ScannedVolume) => Problem | undefined) =>
  (scan: DatasetScan): Problem[] =>
    volumesOf(scan, kind).flatMap(({ volume }) => check(volume) ?? []);

const topOf = (dir: ScannedDir, name: string): ScannedTop | undefined => dir.tops.find((t) => t.name === name);

/** Every rule, in the order `check` reports and the loader throws. */
export const DATASET_RULES: readonly DatasetRule[] = [
  {
    name: "augmentation-config",
    requires:
      "train split: train.preprocess.data_augmentation is affine/ddf with DeepReg's arguments in range, low_res_size within the image shapes",
    configOnly: true,
    apply: augmentationConfig,
  },
  {
    name: "files-readable",
    requires: "data directories, top folders/files present and non-empty; every file readable",
    apply: (scan) => scan.observed,
  },
  {
    name: "images-3d",
    requires: "images are 3D",
    apply: perVolume("image", (v) => (v.shape === undefined ? undefined : imageShapeProblem(v.shape, v.file, v.key))),
  },
  {
    name: "labels-3d-4d",
    requires: "labels are 3D or 4D (channels last)",
    apply: perVolume("label", (v) => (v.shape === undefined ? undefined : labelShapeProblem(v.shape, v.file, v.key))),
  },
  {
    name: "label-range",
    requires: "label values in [0, 1] (decoded volumes)",
    apply: perVolume("label", (v) => (v.range === undefined ? undefined : labelRangeProblem(v.range, v.file, v.key))),
  },
  {
    name: "image-value-range",
    requires: "image values finite with a finite max - min (decoded volumes)",
    apply: perVolume("image", (v) => (v.range === undefined ? undefined : imageRangeProblem(v.range, v.file, v.key))),
  },
  { name: "grouped-h5-keys", requires: "grouped H5 keys read group-<g>-<i>", apply: groupedKeys },
  { name: "ids-match", requires: "ids/keys match across the folders/files of each data directory", apply: idsMatch },
  { name: "label-counts", requires: "moving and fixed labels have the same number of channels", apply: labelCounts },
  { name: "group-sizes", requires: "groups big enough for the grouped sampling", apply: groupSizes },
  { name: "unpaired-two-images", requires: "unpaired data has at least two images", apply: unpairedTwoImages },
  { name: "label-shape", requires: "warning: a label's spatial shape differs from its image's", apply: labelShapes },
];

/**
 * Every problem of `scan` under `config` (and `inputs`): errors and warnings, in rule order,
 * the config-only rules first. A split without a directory gets what the scan observed.
 */
export function applyRules(
  scan: DatasetScan,
  config: DatasetConfig,
  inputs: RuleInputs = {},
  rules: readonly DatasetRule[] = DATASET_RULES,
): Problem[] {
  return [...applyConfigRules(scan.split, config, inputs, rules), ...applyScanRules(scan, config, inputs, rules)];
}

/** The problems of the config-only rules for `split` (no file read). */
export function applyConfigRules(
  split: Split,
  config: DatasetConfig,
  inputs: RuleInputs = {},
  rules: readonly DatasetRule[] = DATASET_RULES,
): Problem[] {
  return rules.flatMap((rule) => (rule.configOnly === true ? rule.apply(split, config, inputs) : []));
}

/** The problems of the rules over the scan (what the scan observed for a split without a directory). */
export function applyScanRules(
  scan: DatasetScan,
  config: DatasetConfig,
  inputs: RuleInputs = {},
  rules: readonly DatasetRule[] = DATASET_RULES,
): Problem[] {
  if (scan.format === undefined) return scan.observed;
  return rules.flatMap((rule) => (rule.configOnly === true ? [] : rule.apply(scan, config, inputs)));
}

/**
 * The train split's augmentation (`inputs.augmentation`) checked by the augment package's
 * `validateAugmentation` against both image shapes: one `INVALID_CONFIG` problem per mistake,
 * named by its dot-path (`train.preprocess.data_augmentation[1].low_res_size: ...`). Valid and
 * test are never augmented, so they ignore the value (as DeepReg does).
 */
function augmentationConfig(split: Split, config: DatasetConfig, inputs: RuleInputs): Problem[] {
  if (split !== "train") return [];
  const result = validateAugmentation(inputs.augmentation, {
    imageShapes: [config.moving_image_shape, config.fixed_image_shape],
  });
  if (result.ok) return [];
  return result.problems.map((p) => ({
    severity: "error",
    rule: "augmentation-config",
    code: "INVALID_CONFIG",
    message: `${p.path}: ${p.message}`,
  }));
}

function groupedKeys(scan: DatasetScan): Problem[] {
  if (scan.type !== "grouped" || scan.format !== "h5") return [];
  return volumesOf(scan, "image")
    .filter(({ volume }) => volume.group === undefined)
    .map(({ volume }) =>
      problem(
        "grouped-h5-keys",
        "BAD_KEY",
        volume.file,
        volume.key,
        `key ${JSON.stringify(volume.key)} does not follow group-<g>-<i> (integers), as grouped H5 data needs`,
      ),
    );
}

/** Ids/keys of every top must equal those of the image top (moving_images / images) of the same directory. */
function idsMatch(scan: DatasetScan): Problem[] {
  const problems: Problem[] = [];
  for (const dir of scan.dirs) {
    const ref = dir.tops[0];
    if (ref === undefined || ref.volumes.length === 0) continue;
    const refIds = new Set(ref.volumes.map((v) => v.id));
    for (const top of dir.tops.slice(1)) {
      if (top.volumes.length === 0) continue;
      const ids = new Set(top.volumes.map((v) => v.id));
      for (const v of top.volumes) if (!refIds.has(v.id)) problems.push(idProblem(v, top, ref));
      for (const v of ref.volumes) if (!ids.has(v.id)) problems.push(idProblem(v, ref, top));
    }
  }
  return problems;
}

function idProblem(v: ScannedVolume, from: ScannedTop, other: ScannedTop): Problem {
  if (v.key !== undefined) {
    const p = problem("ids-match", "IDS_MISMATCH", from.path, undefined, `key ${JSON.stringify(v.key)} has no match in ${other.path}`);
    return { ...p, key: v.key };
  }
  return problem("ids-match", "IDS_MISMATCH", v.file, undefined, `no file with id ${JSON.stringify(v.id)} in ${other.path}`);
}

/**
 * Paired: moving and fixed labels of an id have the same number of channels. Unpaired and
 * grouped (any two images can form a pair): every label has the same number; the labels that
 * differ from the most common count are reported.
 */
function labelCounts(scan: DatasetScan): Problem[] {
  if (!scan.labeled) return [];
  const problems: Problem[] = [];
  if (scan.type === "paired") {
    for (const dir of scan.dirs) {
      const moving = new Map((topOf(dir, "moving_labels")?.volumes ?? []).map((v) => [v.id, v]));
      for (const fixed of topOf(dir, "fixed_labels")?.volumes ?? []) {
        const m = moving.get(fixed.id);
        if (m?.shape === undefined || fixed.shape === undefined) continue;
        const [cm, cf] = [labelChannels(m.shape), labelChannels(fixed.shape)];
        if (cm === cf) continue;
        problems.push(
          problem(
            "label-counts",
            "LABEL_COUNT",
            fixed.file,
            fixed.key,
            `${plural(cf, "label channel")}, but the moving label ${where(m.file, m.key)} has ${cm}; moving and fixed labels must have the same number`,
          ),
        );
      }
    }
    return problems;
  }
  const labels = volumesOf(scan, "label").map(({ volume }) => volume);
  const counts = new Map<number, number>();
  for (const l of labels) if (l.shape !== undefined) counts.set(labelChannels(l.shape), (counts.get(labelChannels(l.shape)) ?? 0) + 1);
  if (counts.size <= 1) return [];
  const common = ([...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] as [number, number])[0];
  for (const l of labels) {
    if (l.shape === undefined || labelChannels(l.shape) === common) continue;
    problems.push(
      problem(
        "label-counts",
        "LABEL_COUNT",
        l.file,
        l.key,
        `${plural(labelChannels(l.shape), "label channel")}, but ${counts.get(common)} other labels have ${common}; ${scan.type} images are paired with each other, so every label needs the same number of channels`,
      ),
    );
  }
  return problems;
}

/** Groups big enough for the sampling: the threshold of the samplers' `groupSizeRequirement`. */
function groupSizes(scan: DatasetScan, config: DatasetConfig): Problem[] {
  if (scan.type !== "grouped") return [];
  const order = splitOrder(scan);
  const groups = order.groups ?? [];
  if (groups.length === 0) return [];
  const intraGroupProb = config.intra_group_prob ?? GROUPED_DEFAULTS.intra_group_prob;
  const { minGroups, minGroupSize } = groupSizeRequirement({ intraGroupProb });
  const problems: Problem[] = [];
  groups.forEach((g, k) => {
    if (g.length >= minGroupSize) return;
    const why = intraGroupProb > 0 ? `intra-group sampling (intra_group_prob ${intraGroupProb} > 0)` : "inter-group sampling";
    const file = (order.groupFiles as string[])[k] as string;
    const id = (order.groupIds as string[])[k] as string;
    const what = scan.format === "h5" ? `group ${id} (keys group-${id}-*)` : "group";
    problems.push({
      severity: "error",
      rule: "group-sizes",
      code: "GROUP_SIZE",
      file,
      message: `${file}: ${what} has ${plural(g.length, "image")}; ${why} needs at least ${minGroupSize} per group`,
    });
  });
  if (groups.length < minGroups) {
    const dirs = scan.dirs.map((d) => d.dir);
    problems.push({
      severity: "error",
      rule: "group-sizes",
      code: "GROUP_SIZE",
      file: dirs[0] as string,
      message: `${dirs.join(", ")}: ${plural(groups.length, "group")}, but intra_group_prob ${intraGroupProb} samples pairs across groups, which needs at least ${minGroups} groups`,
    });
  }
  return problems;
}

function unpairedTwoImages(scan: DatasetScan): Problem[] {
  if (scan.type !== "unpaired") return [];
  const images = volumesOf(scan, "image");
  const only = images[0]?.volume;
  if (images.length !== 1 || only === undefined) return [];
  return [problem("unpaired-two-images", "EMPTY", only.file, only.key, "the only image of the split; unpaired data needs at least 2 images to form a pair")];
}

/** Warns when a label's spatial shape differs from its image's (both are resized, which may misalign them). */
function labelShapes(scan: DatasetScan): Problem[] {
  const pairs: [string, string][] =
    scan.type === "paired"
      ? [
          ["moving_images", "moving_labels"],
          ["fixed_images", "fixed_labels"],
        ]
      : [["images", "labels"]];
  const problems: Problem[] = [];
  for (const dir of scan.dirs) {
    for (const [imageTop, labelTop] of pairs) {
      const images = new Map((topOf(dir, imageTop)?.volumes ?? []).map((v) => [v.id, v]));
      for (const label of topOf(dir, labelTop)?.volumes ?? []) {
        const image = images.get(label.id);
        if (image?.shape === undefined || label.shape === undefined || image.shape.length !== 3) continue;
        const imageShape = image.shape;
        if (label.shape.slice(0, 3).every((d, i) => d === imageShape[i])) continue;
        problems.push(
          warning(
            "label-shape",
            "SHAPE",
            label.file,
            label.key,
            `label shape ${shapeText(label.shape)} differs from the image shape ${shapeText(imageShape)} of ${where(image.file, image.key)}; both are resized, which may misalign them`,
          ),
        );
      }
    }
  }
  return problems;
}
