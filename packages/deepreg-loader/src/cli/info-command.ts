// cli/info-command.ts: `deepreg-loader info` = the scan (headers only), the rules and the
// samplers' counts. May import config, core, dataset/, loader/plan and cli/.
import type { DatasetConfig } from "@deepreg-loader/config";
import { defaultLabelSampling, GROUPED_DEFAULTS } from "@deepreg-loader/core";
import type { DataFormat, LabelSampling, Split } from "@deepreg-loader/core";
import { splitOrder } from "../dataset/order.js";
import type { CheckProblem } from "../dataset/problem.js";
import { applyRules } from "../dataset/rules.js";
import { scanSplit } from "../dataset/scan.js";
import type { DatasetScan, ScannedVolume } from "../dataset/scan.js";
import { labelChannels } from "../dataset/volume-rules.js";
import { epochPlan, numSamplesOf } from "../loader/plan.js";
import type { PlanInputs } from "../loader/plan.js";
import type { ParsedArgs } from "./args.js";
import { problemLine } from "./check-command.js";
import { loadConfig, requireSplit, selectedSplits } from "./common.js";
import { displayPath } from "./format-error.js";
import type { CliIO } from "./io.js";
import { createProgress } from "./progress.js";

/** Shapes found on disk in one top folder/file, most common first. */
export interface ShapeCount {
  /** A shape as stored. */
  shape: number[];
  /** How many volumes have it. */
  count: number;
}

/** What `info` reports for one split. */
export interface SplitInfo {
  /** The split. */
  split: Split;
  /** Its file format; null when the config gives it no data directory. */
  format: DataFormat | null;
  /** Whether the config says it is labeled. */
  labeled: boolean;
  /** Its data directories, resolved and shown relative to the current directory when inside it. */
  dirs: string[];
  /** Images (paired: image pairs; unpaired, grouped: images). */
  images: number;
  /** Groups (grouped data), else null. */
  groups: number | null;
  /** Images per group, in loader order (grouped data), else null. */
  groupSizes: number[] | null;
  /** Image pairs in one epoch (DeepReg's `num_samples`, the loader's `numSamples`). */
  pairsPerEpoch: number | null;
  /** How labels are chosen per pair by default for this split: `sample` (train) or `all` (valid, test). */
  labelSampling: LabelSampling | null;
  /** Samples in one epoch: pairs, times the label channels of each pair with `all`. */
  samplesPerEpoch: number | null;
  /** Number of labels by channel count (`{ "3": 14, "1": 6 }`), null when unlabeled. */
  labelChannels: Record<string, number> | null;
  /** Shapes on disk per top folder/file (`moving_images`, `labels`, ...), counted over every data directory. */
  shapes: Record<string, ShapeCount[]>;
  /** Data directories of the split that do not exist (the numbers are then left out of the text). */
  missingDirs: string[];
  /** Problems that kept numbers from being computed (run `check` for all of them). */
  problems: CheckProblem[];
}

/** Shapes of `volumes` with their counts, most common first (ties: first seen first). */
function countShapes(volumes: readonly ScannedVolume[]): ShapeCount[] {
  const counts = new Map<string, ShapeCount>();
  for (const v of volumes) {
    if (!v.shape) continue;
    const key = v.shape.join(",");
    const c = counts.get(key) ?? { shape: v.shape, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/**
 * The numbers of one split from its scan (headers only) and the dataset rules: counts from the
 * scan in DeepReg's order, pairs per epoch and samples per epoch from the samplers' plans
 * (epoch 0; the totals do not depend on the seed), label channels from the label shapes.
 * Numbers that need a clean split are null when a rule found an error.
 */
export function splitInfo(scan: DatasetScan, dataset: DatasetConfig, cwd: string): SplitInfo {
  const split = scan.split;
  const labelSampling = defaultLabelSampling(split);
  const problems = applyRules(scan, dataset).filter((p) => p.severity === "error");
  const shapes: Record<string, ShapeCount[]> = {};
  for (const top of scan.dirs.flatMap((d) => d.tops)) shapes[top.name] ??= countShapes(volumesNamed(scan, top.name));
  const missingDirs = scan.dirs
    .filter((d) => d.tops.length === 0 && problems.some((p) => p.code === "NOT_FOUND" && p.file === d.dir))
    .map((d) => displayPath(d.dir, cwd));
  const order = splitOrder(scan);
  const channels = order.movingLabels?.map((v) => (v?.shape === undefined ? undefined : labelChannels(v.shape))) ?? null;
  let channelCounts: Record<string, number> | null = null;
  if (scan.labeled && channels !== null) {
    channelCounts = {};
    for (const c of channels) if (c !== undefined) channelCounts[c] = (channelCounts[c] ?? 0) + 1;
  }
  const groups = order.groups;
  let pairsPerEpoch: number | null = null;
  let samplesPerEpoch: number | null = null;
  if (problems.length === 0 && scan.format !== undefined) {
    const plan: PlanInputs = {
      type: dataset.type,
      numImages: order.movingImages.length,
      groups,
      sampling: {
        intraGroupProb: dataset.intra_group_prob ?? GROUPED_DEFAULTS.intra_group_prob,
        intraGroupOption: dataset.intra_group_option ?? GROUPED_DEFAULTS.intra_group_option,
        sampleImageInGroup: dataset.sample_image_in_group ?? GROUPED_DEFAULTS.sample_image_in_group,
      },
      labelChannels: scan.labeled ? (channels as number[]) : null,
      seed: 0,
      redraw: false,
      labelSampling: "all",
      shard: { index: 0, count: 1 },
    };
    pairsPerEpoch = numSamplesOf(plan);
    samplesPerEpoch = !scan.labeled || labelSampling === "sample" ? pairsPerEpoch : epochPlan(plan, 0, "exact").length;
  }
  return {
    split,
    format: scan.format ?? null,
    labeled: scan.labeled,
    dirs: scan.dirs.map((d) => displayPath(d.dir, cwd)),
    images: order.movingImages.length,
    groups: groups ? groups.length : null,
    groupSizes: groups ? groups.map((g) => g.length) : null,
    pairsPerEpoch,
    labelSampling: scan.labeled ? labelSampling : null,
    samplesPerEpoch,
    labelChannels: channelCounts,
    shapes,
    missingDirs,
    problems,
  };
}

function volumesNamed(scan: DatasetScan, name: string): ScannedVolume[] {
  return scan.dirs.flatMap((d) => d.tops.filter((t) => t.name === name).flatMap((t) => t.volumes));
}

const shapeText = (s: readonly number[]) => `[${s.join(", ")}]`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function infoText(dataset: DatasetConfig, infos: SplitInfo[], cwd: string): string {
  const lines: string[] = [];
  const shapes =
    dataset.type === "paired"
      ? `moving image shape ${shapeText(dataset.moving_image_shape)}, fixed image shape ${shapeText(dataset.fixed_image_shape)}`
      : `image shape ${shapeText(dataset.moving_image_shape)}`;
  lines.push(`${dataset.type} dataset, ${shapes}`);
  for (const i of infos) {
    lines.push("");
    lines.push(`${i.split}: ${i.format}, ${i.labeled ? "labeled" : "unlabeled"}, ${i.dirs.join(", ")}`);
    if (i.missingDirs.length > 0) {
      // Numbers counted without a data directory would mislead: the error only.
      for (const p of i.problems) lines.push(`  ${problemLine(p, cwd)}`);
      continue;
    }
    const what =
      dataset.type === "paired"
        ? plural(i.images, "image pair")
        : dataset.type === "grouped"
          ? `${plural(i.images, "image")} in ${plural(i.groups ?? 0, "group")} (${(i.groupSizes ?? []).join(", ")})`
          : plural(i.images, "image");
    lines.push(`  images:            ${what}`);
    Object.entries(i.shapes).forEach(([top, counts], n) => {
      const text = counts.map((c) => `${shapeText(c.shape)} x${c.count}`).join(", ");
      lines.push(`  ${n === 0 ? "shapes on disk:    " : " ".repeat(19)}${top} ${text || "-"}`);
    });
    if (i.labelChannels) {
      const text = Object.entries(i.labelChannels)
        .map(([c, n]) => `${c} (${plural(n, dataset.type === "paired" ? "pair" : "image")})`)
        .join(", ");
      lines.push(`  label channels:    ${text || "-"}`);
    }
    const sampling =
      i.labelSampling === "sample"
        ? " (one label sampled per pair)"
        : i.labelSampling === "all"
          ? " (every label of each pair)"
          : "";
    lines.push(`  pairs per epoch:   ${i.pairsPerEpoch ?? "unknown (see the problems below)"}`);
    lines.push(`  samples per epoch: ${i.samplesPerEpoch ?? "unknown"}${i.samplesPerEpoch === null ? "" : sampling}`);
    for (const p of i.problems) lines.push(`  ${problemLine(p, cwd)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `deepreg-loader info`: counts, shapes and label channels per split (the scan, headers only, and the samplers). */
export async function runInfo(args: ParsedArgs, io: CliIO): Promise<number> {
  const config = await loadConfig(args, io);
  const dataset = config.dataset;
  const splits = selectedSplits(args, dataset);
  for (const s of splits) requireSplit(dataset, s);
  if (splits.length === 0) requireSplit(dataset, "train");
  const infos: SplitInfo[] = [];
  for (const split of splits) {
    const progress = createProgress(io, `info ${split}`);
    try {
      const scan = await scanSplit(dataset, split, {
        cwd: io.cwd,
        onProgress: (p) => progress.update(p.done, p.total, displayPath(p.file, io.cwd)),
      });
      infos.push(splitInfo(scan, dataset, io.cwd));
    } finally {
      progress.end();
    }
  }
  if (args.flag("json")) {
    const json = {
      type: dataset.type,
      movingImageShape: dataset.moving_image_shape,
      fixedImageShape: dataset.fixed_image_shape,
      splits: Object.fromEntries(
        infos.map(({ split, problems, ...rest }) => [
          split,
          { ...rest, problems: problems.map((p) => problemLine(p, io.cwd)) },
        ]),
      ),
    };
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout.write(infoText(dataset, infos, io.cwd));
  }
  return infos.some((i) => i.problems.length > 0) ? 1 : 0;
}
