import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { DTYPE_BYTES } from "@deepreg-loader/core";
import type { DataFormat, DatasetType, Split } from "@deepreg-loader/core";
import type { DatasetConfig } from "@deepreg-loader/config";
import { openH5 } from "@deepreg-loader/io-h5";
import { isGzip, readNifti, readNiftiHeader } from "@deepreg-loader/io-nifti";
import type { NiftiHeader } from "@deepreg-loader/io-nifti";
import { valueRange } from "@deepreg-loader/volume-ops";
import { listDataDir, problemFromError } from "./check-layout.js";
import type { CheckProblem, DataDirListing, Observation, TopListing, TopName } from "./check-layout.js";

export type { CheckProblem } from "./check-layout.js";

/** Progress of `checkDataset`: `done` of `total` volumes inspected, the last one being `file` (and `key`). */
export interface CheckProgress {
  done: number;
  total: number;
  file: string;
  key?: string;
}

export interface CheckOptions {
  /** Directory the config's relative `dir`s are resolved against. Default `process.cwd()` (like DeepReg). */
  cwd?: string;
  /** Called after each volume (NIfTI file or H5 key) is inspected. */
  onProgress?: (progress: CheckProgress) => void;
  /** Read every label in full to check its values are in [0, 1]. Default true; `false` reads headers/shapes only. */
  scanLabels?: boolean;
  /**
   * Read every image in full too: finds compressed data cut short or corrupt, and non-finite
   * values. Default false: images are checked from their header (and, uncompressed, the file
   * size the header implies).
   */
  readImages?: boolean;
}

/** An inspected observation: its shape when the header (or H5 metadata) could be read. */
export interface CheckedObservation extends Observation {
  shape?: number[];
}

/** A top folder/file of a data directory with what was found in it. */
export interface CheckedTop extends Omit<TopListing, "observations"> {
  observations: CheckedObservation[];
}

/** What was found in one data directory. */
export interface CheckedDataDir {
  dir: string;
  tops: CheckedTop[];
}

/** The outcome of `checkDataset`. */
export interface CheckReport {
  split: Split;
  type: DatasetType;
  /** Undefined when the config has no directory for the split. */
  format?: DataFormat;
  labeled: boolean;
  /** The data directories, resolved against `cwd`, in config order. */
  dirs: CheckedDataDir[];
  /** Every problem found; the dataset is usable when this is empty. */
  problems: CheckProblem[];
  /** Things the loader accepts but that are probably not meant (a label shape that differs from its image's). */
  warnings: CheckProblem[];
  /** Files opened (NIfTI files and H5 files). */
  filesChecked: number;
  /** Volumes inspected (NIfTI files and H5 keys). */
  volumesChecked: number;
  /** Labels read in full to check their values. */
  labelsScanned: number;
  /** Images read in full (`readImages`). */
  imagesRead: number;
  /**
   * Whether images were decoded (`readImages`). When false only their headers (H5: shapes)
   * were checked: a compressed image cut short or with non-finite values is not found.
   */
  imagesDecoded: boolean;
}

/** Number of label channels of a label shape (3D: 1, 4D: the last dimension). */
export function labelChannels(shape: readonly number[]): number {
  return shape.length === 4 ? shape[3]! : 1;
}

const fmtShape = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/**
 * Pre-flight check of every file of one split, collecting every problem instead of stopping at
 * the first: data directories and top folders/files present and non-empty, every file readable
 * (NIfTI header, H5 shape), images 3D, labels 3D or 4D with values in [0, 1] (labels are read in
 * full), ids/keys matching across the top folders/files of each directory, moving and fixed
 * label channel counts equal (paired; unpaired and grouped: every label has the same count),
 * grouped H5 keys `group-<g>-<i>`, every group holding at least two images and at least two
 * groups when inter-group sampling is possible. Never throws for a data problem.
 */
export async function checkDataset(
  datasetConfig: DatasetConfig,
  split: Split,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const cwd = options.cwd ?? process.cwd();
  const read = { labels: options.scanLabels ?? true, images: options.readImages ?? false };
  const splitConfig = datasetConfig[split];
  const type = datasetConfig.type;
  const report: CheckReport = {
    split,
    type,
    labeled: splitConfig?.labeled ?? false,
    dirs: [],
    problems: [],
    warnings: [],
    filesChecked: 0,
    volumesChecked: 0,
    labelsScanned: 0,
    imagesRead: 0,
    imagesDecoded: read.images,
  };
  if (!splitConfig) {
    report.problems.push({
      code: "NOT_FOUND",
      message: `dataset.${split}: the config gives no data directory for this split`,
    });
    return report;
  }
  report.format = splitConfig.format;

  const listings: DataDirListing[] = [];
  for (const dir of splitConfig.dir) {
    listings.push(await listDataDir(resolve(cwd, dir), type, splitConfig.format, splitConfig.labeled, report.problems));
  }
  const total = listings.reduce((n, l) => n + l.tops.reduce((m, t) => m + t.observations.length, 0), 0);
  let done = 0;
  const progress = (file: string, key?: string) => {
    done++;
    options.onProgress?.(key === undefined ? { done, total, file } : { done, total, file, key });
  };

  for (const listing of listings) {
    const checked: CheckedDataDir = { dir: listing.dir, tops: [] };
    for (const top of listing.tops) {
      const observations =
        splitConfig.format === "nifti"
          ? await inspectNifti(top, read, report, progress)
          : await inspectH5(top, read, report, progress);
      checked.tops.push({ ...top, observations });
    }
    report.dirs.push(checked);
    matchIds(checked, report.problems);
    compareLabelShapes(checked, type, report);
  }
  checkLabelCounts(report.dirs, type, report.problems);
  if (type === "grouped") checkGroups(report.dirs, datasetConfig, report.problems);
  if (type === "unpaired") checkUnpairedCount(report.dirs, report.problems);
  return report;
}

type Progress = (file: string, key?: string) => void;

type ReadWhat = { labels: boolean; images: boolean };

async function inspectNifti(top: TopListing, read: ReadWhat, report: CheckReport, progress: Progress) {
  const out: CheckedObservation[] = [];
  const readFull = top.kind === "label" ? read.labels : read.images;
  for (const o of top.observations) {
    const checked: CheckedObservation = { ...o };
    report.filesChecked++;
    report.volumesChecked++;
    try {
      const header = await readNiftiHeader(o.file);
      checked.shape = [...header.shape];
      if (checkDims(checked.shape, top.kind, o.file, undefined, report.problems)) {
        if (readFull) {
          const volume = await readNifti(o.file);
          checkValues(top.kind, valueRange(volume), o.file, undefined, report);
        } else {
          await checkNiftiSize(o.file, header, report.problems);
        }
      }
    } catch (error) {
      report.problems.push(problemFromError(error, o.file));
    }
    out.push(checked);
    progress(o.file);
  }
  return out;
}

/** An uncompressed NIfTI file must hold the voxels its header declares (a cheap truncation check without reading them). */
async function checkNiftiSize(file: string, header: NiftiHeader, problems: CheckProblem[]): Promise<void> {
  const handle = await open(file, "r");
  try {
    const magic = new Uint8Array(2);
    await handle.read(magic, 0, 2, 0);
    if (isGzip(magic)) return;
    const size = (await handle.stat()).size;
    const voxels = header.shape.reduce((n, d) => n * d, 1);
    const expected = header.voxOffset + voxels * DTYPE_BYTES[header.dtype];
    if (size >= expected) return;
    problems.push({
      file,
      code: "TRUNCATED",
      message: `${file}: the file has ${size} bytes, but its header declares ${expected} (${voxels} ${header.dtype} voxels from byte ${header.voxOffset}); the file is truncated`,
    });
  } finally {
    await handle.close();
  }
}

async function inspectH5(top: TopListing, read: ReadWhat, report: CheckReport, progress: Progress) {
  const readFull = top.kind === "label" ? read.labels : read.images;
  const out: CheckedObservation[] = top.observations.map((o) => ({ ...o }));
  if (out.length === 0) return out;
  report.filesChecked++;
  let h5;
  try {
    h5 = await openH5(top.path);
  } catch (error) {
    report.problems.push(problemFromError(error, top.path));
    return out;
  }
  try {
    for (const o of out) {
      const key = o.key!;
      report.volumesChecked++;
      try {
        o.shape = h5.shape(key);
        if (checkDims(o.shape, top.kind, top.path, key, report.problems) && readFull) {
          checkValues(top.kind, valueRange(h5.read(key)), top.path, key, report);
        }
      } catch (error) {
        report.problems.push(problemFromError(error, top.path, key));
      }
      progress(top.path, key);
    }
  } finally {
    h5.close();
  }
  return out;
}

const where = (file: string, key: string | undefined) => (key === undefined ? file : `${file} [${JSON.stringify(key)}]`);

function push(problems: CheckProblem[], problem: CheckProblem, key: string | undefined): void {
  problems.push(key === undefined ? problem : { ...problem, key });
}

/** Images must be 3D, labels 3D or 4D, no dimension 0. Returns true when the shape is fine. */
function checkDims(
  shape: readonly number[],
  kind: "image" | "label",
  file: string,
  key: string | undefined,
  problems: CheckProblem[],
): boolean {
  const ok = kind === "image" ? shape.length === 3 : shape.length === 3 || shape.length === 4;
  if (ok && shape.every((d) => d > 0)) return true;
  const expected = kind === "image" ? "a 3D image" : "a 3D or 4D label (channels last)";
  push(
    problems,
    {
      file,
      code: "SHAPE",
      message: `${where(file, key)}: expected ${expected}, found ${ok ? "an empty volume of " : ""}${shape.length}D shape ${fmtShape(shape)}`,
    },
    key,
  );
  return false;
}

/** Labels: values in [0, 1]; images: finite values. Counts the volume as read. */
function checkValues(
  kind: "image" | "label",
  range: { min: number; max: number },
  file: string,
  key: string | undefined,
  report: CheckReport,
): void {
  if (kind === "image") {
    report.imagesRead++;
    if (Number.isFinite(range.min) && Number.isFinite(range.max)) return;
    const found = Number.isNaN(range.min) ? "NaN values" : `values from ${range.min} to ${range.max}`;
    push(report.problems, { file, code: "VALUE_RANGE", message: `${where(file, key)}: image values must be finite, found ${found}` }, key);
    return;
  }
  report.labelsScanned++;
  const problems = report.problems;
  if (range.min >= 0 && range.max <= 1) return;
  const found = Number.isNaN(range.min) ? "NaN values" : `values from ${range.min} to ${range.max}`;
  push(
    problems,
    { file, code: "LABEL_RANGE", message: `${where(file, key)}: label values must be in [0, 1], found ${found}` },
    key,
  );
}

/** Ids/keys of every top must equal those of the image top (moving_images / images) of the same directory. */
function matchIds(dir: CheckedDataDir, problems: CheckProblem[]): void {
  const ref = dir.tops.find((t) => t.name === "moving_images" || t.name === "images") ?? dir.tops[0];
  if (!ref) return;
  const refIds = new Set(ref.observations.map((o) => o.id));
  for (const top of dir.tops) {
    if (top === ref || top.observations.length === 0 || ref.observations.length === 0) continue;
    const ids = new Set(top.observations.map((o) => o.id));
    for (const o of top.observations) {
      if (!refIds.has(o.id)) problems.push(idProblem(o, top, ref));
    }
    for (const o of ref.observations) {
      if (!ids.has(o.id)) problems.push(idProblem(o, ref, top));
    }
  }
}

function idProblem(o: Observation, from: TopListing, other: TopListing): CheckProblem {
  if (o.key !== undefined) {
    return {
      file: from.path,
      key: o.key,
      code: "IDS_MISMATCH",
      message: `${from.path}: key ${JSON.stringify(o.key)} has no match in ${other.path}`,
    };
  }
  return {
    file: o.file,
    code: "IDS_MISMATCH",
    message: `${o.file}: no file with id ${JSON.stringify(o.id)} in ${other.path}`,
  };
}

function byId(top: CheckedTop | undefined): Map<string, CheckedObservation> {
  return new Map((top?.observations ?? []).map((o) => [o.id, o]));
}

/** Warn when a label's spatial shape differs from its image's (DeepReg resizes both, which may misalign them). */
function compareLabelShapes(dir: CheckedDataDir, type: DatasetType, report: CheckReport): void {
  const pairs: [TopName, TopName][] =
    type === "paired"
      ? [
          ["moving_images", "moving_labels"],
          ["fixed_images", "fixed_labels"],
        ]
      : [["images", "labels"]];
  for (const [imageTop, labelTop] of pairs) {
    const images = byId(dir.tops.find((t) => t.name === imageTop));
    const labels = dir.tops.find((t) => t.name === labelTop);
    for (const label of labels?.observations ?? []) {
      const image = images.get(label.id);
      if (!image?.shape || !label.shape || image.shape.length !== 3) continue;
      const spatial = label.shape.slice(0, 3);
      if (spatial.every((d, i) => d === image.shape![i])) continue;
      push(
        report.warnings,
        {
          file: label.file,
          code: "SHAPE",
          message: `${where(label.file, label.key)}: label shape ${fmtShape(label.shape)} differs from the image shape ${fmtShape(image.shape)} of ${where(image.file, image.key)}; both are resized, which may misalign them`,
        },
        label.key,
      );
    }
  }
}

/**
 * Paired: moving and fixed labels of an id have the same number of channels. Unpaired and
 * grouped (any two images can form a pair): every label has the same number of channels; the
 * labels that differ from the most common count are reported.
 */
function checkLabelCounts(dirs: CheckedDataDir[], type: DatasetType, problems: CheckProblem[]): void {
  if (type === "paired") {
    for (const dir of dirs) {
      const moving = byId(dir.tops.find((t) => t.name === "moving_labels"));
      for (const fixed of dir.tops.find((t) => t.name === "fixed_labels")?.observations ?? []) {
        const m = moving.get(fixed.id);
        if (!m?.shape || !fixed.shape) continue;
        const [cm, cf] = [labelChannels(m.shape), labelChannels(fixed.shape)];
        if (cm === cf) continue;
        push(
          problems,
          {
            file: fixed.file,
            code: "LABEL_COUNT",
            message: `${where(fixed.file, fixed.key)}: ${cf} label channel${cf === 1 ? "" : "s"}, but the moving label ${where(m.file, m.key)} has ${cm}; moving and fixed labels must have the same number`,
          },
          fixed.key,
        );
      }
    }
    return;
  }
  const labels = dirs.flatMap((d) => d.tops.filter((t) => t.name === "labels").flatMap((t) => t.observations));
  const counts = new Map<number, number>();
  for (const l of labels) if (l.shape) counts.set(labelChannels(l.shape), (counts.get(labelChannels(l.shape)) ?? 0) + 1);
  if (counts.size <= 1) return;
  const common = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  for (const l of labels) {
    if (!l.shape || labelChannels(l.shape) === common) continue;
    const c = labelChannels(l.shape);
    push(
      problems,
      {
        file: l.file,
        code: "LABEL_COUNT",
        message: `${where(l.file, l.key)}: ${c} label channel${c === 1 ? "" : "s"}, but ${counts.get(common)} other labels have ${common}; ${type} images are paired with each other, so every label needs the same number of channels`,
      },
      l.key,
    );
  }
}

/** A group of grouped data: where it lives and its images. */
export interface CheckedGroup {
  /** `images/<group>` folder (NIfTI) or `images.h5` (H5). */
  path: string;
  name: string;
  images: CheckedObservation[];
}

/** Groups of grouped data in loader order: by data directory, then relative folder (NIfTI) or `<g>` as a number (H5). */
export function groupsOf(dirs: readonly CheckedDataDir[]): CheckedGroup[] {
  const groups: CheckedGroup[] = [];
  for (const dir of dirs) {
    const images = dir.tops.find((t) => t.name === "images");
    if (!images) continue;
    const byGroup = new Map<string, CheckedObservation[]>();
    for (const o of images.observations) {
      const list = byGroup.get(o.group ?? "") ?? [];
      list.push(o);
      byGroup.set(o.group ?? "", list);
    }
    const names = [...byGroup.keys()];
    if (images.observations[0]?.key !== undefined) names.sort((a, b) => Number(a) - Number(b));
    else names.sort();
    for (const name of names) {
      const isH5 = images.observations[0]?.key !== undefined;
      const members = byGroup.get(name)!;
      if (isH5) members.sort((a, b) => (a.indexInGroup ?? 0) - (b.indexInGroup ?? 0));
      groups.push({ path: isH5 ? images.path : resolve(images.path, name), name, images: members });
    }
  }
  return groups;
}

function checkGroups(dirs: CheckedDataDir[], config: DatasetConfig, problems: CheckProblem[]): void {
  const groups = groupsOf(dirs);
  for (const g of groups) {
    if (g.images.length >= 2) continue;
    const what = g.images[0]?.key !== undefined ? `group ${g.name} (keys group-${g.name}-*)` : "group";
    problems.push({
      file: g.path,
      code: "GROUP_SIZE",
      message: `${g.path}: ${what} has ${g.images.length} image${g.images.length === 1 ? "" : "s"}, grouped data needs at least 2 per group`,
    });
  }
  const intraGroupProb = config.intra_group_prob ?? 1;
  if (intraGroupProb < 1 && groups.length < 2 && groups.length > 0) {
    problems.push({
      file: dirs[0]?.dir ?? "",
      code: "GROUP_SIZE",
      message: `${dirs.map((d) => d.dir).join(", ")}: ${groups.length} group, but intra_group_prob ${intraGroupProb} samples pairs across groups, which needs at least 2 groups`,
    });
  }
}

function checkUnpairedCount(dirs: CheckedDataDir[], problems: CheckProblem[]): void {
  const images = dirs.flatMap((d) => d.tops.filter((t) => t.name === "images").flatMap((t) => t.observations));
  if (images.length !== 1) return;
  problems.push({
    file: images[0]!.file,
    code: "EMPTY",
    message: `${where(images[0]!.file, images[0]!.key)}: the only image of the split; unpaired data needs at least 2 images to form a pair`,
  });
}
