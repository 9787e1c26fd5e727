import type { DatasetConfig } from "@deepreg-loader/config";
import type { DataFormat, LabelSampling, Split } from "@deepreg-loader/core";
import { expandLabels, groupedPlan, pairedPlan, unpairedPlan } from "@deepreg-loader/samplers";
import { checkDataset, groupsOf, labelChannels } from "../check.js";
import type { CheckedObservation, CheckReport, CheckProblem } from "../check.js";
import type { ParsedArgs } from "./args.js";
import { problemLine } from "./check-command.js";
import { loadConfig, requireSplit, selectedSplits } from "./common.js";
import { displayPath } from "./format-error.js";
import type { CliIO } from "./io.js";
import { createProgress } from "./progress.js";

/** Shapes found on disk in one top folder/file, most common first. */
export interface ShapeCount {
  shape: number[];
  count: number;
}

/** What `info` reports for one split. */
export interface SplitInfo {
  split: Split;
  format: DataFormat | null;
  labeled: boolean;
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

/** Shapes of `observations` with their counts, most common first (ties: first seen first). */
function countShapes(observations: readonly CheckedObservation[]): ShapeCount[] {
  const counts = new Map<string, ShapeCount>();
  for (const o of observations) {
    if (!o.shape) continue;
    const key = o.shape.join(",");
    const c = counts.get(key) ?? { shape: o.shape, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/**
 * The numbers of one split from a header-only check report: counts from the listing, pairs
 * per epoch and samples per epoch from the samplers' plans (epoch 0; the totals do not depend
 * on the seed), label channels from the label shapes.
 */
export function splitInfo(report: CheckReport, dataset: DatasetConfig, cwd: string): SplitInfo {
  const split = report.split;
  const labelSampling: LabelSampling = split === "train" ? "sample" : "all";
  const tops = report.dirs.flatMap((d) => d.tops);
  const byTop = new Map<string, CheckedObservation[]>();
  for (const t of tops) byTop.set(t.name, [...(byTop.get(t.name) ?? []), ...t.observations]);
  const shapes: Record<string, ShapeCount[]> = {};
  for (const [name, observations] of byTop) shapes[name] = countShapes(observations);
  const missingDirs = report.dirs
    .filter((d) => report.problems.some((p) => p.code === "NOT_FOUND" && p.file === d.dir && d.tops.length === 0))
    .map((d) => displayPath(d.dir, cwd));
  const imagesTop = dataset.type === "paired" ? "moving_images" : "images";
  const labelsTop = dataset.type === "paired" ? "moving_labels" : "labels";
  const images = report.dirs.flatMap((d) => d.tops.find((t) => t.name === imagesTop)?.observations ?? []);
  // Label channels of each image (ids are matched per directory).
  const labelCountOf = new Map<CheckedObservation, number>();
  for (const d of report.dirs) {
    const labels = new Map((d.tops.find((t) => t.name === labelsTop)?.observations ?? []).map((o) => [o.id, o]));
    for (const image of d.tops.find((t) => t.name === imagesTop)?.observations ?? []) {
      const shape = labels.get(image.id)?.shape;
      if (shape) labelCountOf.set(image, labelChannels(shape));
    }
  }
  const labelCounts = images.map((image) => labelCountOf.get(image));
  let channelCounts: Record<string, number> | null = null;
  if (report.labeled) {
    channelCounts = {};
    for (const c of labelCounts) if (c !== undefined) channelCounts[c] = (channelCounts[c] ?? 0) + 1;
  }
  const groups = dataset.type === "grouped" ? groupsOf(report.dirs) : null;

  let pairsPerEpoch: number | null = null;
  let samplesPerEpoch: number | null = null;
  if (report.problems.length === 0) {
    const epoch = { seed: 0, epoch: 0, shuffle: false };
    let pairs: number[][];
    let countOf: (pair: number[]) => number | undefined;
    if (dataset.type === "paired") {
      pairs = pairedPlan(images.length, epoch);
      countOf = ([i]) => labelCounts[i!];
    } else if (dataset.type === "unpaired") {
      pairs = unpairedPlan(images.length, epoch);
      countOf = ([m]) => labelCounts[m!];
    } else {
      pairs = groupedPlan(
        groups!.map((g) => g.images.length),
        {
          ...epoch,
          intraGroupProb: dataset.intra_group_prob ?? 1,
          intraGroupOption: dataset.intra_group_option ?? "forward",
          sampleImageInGroup: dataset.sample_image_in_group ?? true,
        },
      );
      countOf = ([g, i]) => labelCountOf.get(groups![g!]!.images[i!]!);
    }
    pairsPerEpoch = pairs.length;
    const counts = pairs.map(countOf);
    samplesPerEpoch =
      !report.labeled || labelSampling === "sample"
        ? pairs.length
        : expandLabels(pairs, counts.map((c) => c ?? 1), "all", epoch).length;
  }
  return {
    split,
    format: report.format ?? null,
    labeled: report.labeled,
    dirs: report.dirs.map((d) => displayPath(d.dir, cwd)),
    images: images.length,
    groups: groups ? groups.length : null,
    groupSizes: groups ? groups.map((g) => g.images.length) : null,
    pairsPerEpoch,
    labelSampling: report.labeled ? labelSampling : null,
    samplesPerEpoch,
    labelChannels: channelCounts,
    shapes,
    missingDirs,
    problems: report.problems,
  };
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

/** `deepreg-loader info`: counts, shapes and label channels per split (headers only). */
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
      const report = await checkDataset(dataset, split, {
        cwd: io.cwd,
        scanLabels: false,
        onProgress: (p) => progress.update(p.done, p.total, displayPath(p.file, io.cwd)),
      });
      infos.push(splitInfo(report, dataset, io.cwd));
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
