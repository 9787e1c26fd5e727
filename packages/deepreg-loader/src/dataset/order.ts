// dataset/order.ts: DeepReg's order of the volumes of a split, so index vectors equal
// DeepReg's for the same files (docs/conventions.md "Ordering of ids"). Pure; may import
// dataset/ only.
import { join, posix } from "node:path";
import { compareCodeUnits } from "./list-files.js";
import type { DatasetScan, ScannedDir, ScannedTop, ScannedVolume } from "./scan.js";

/** The volumes of each role in loader index order, and the groups of grouped data. */
export interface SplitOrder {
  /** Unpaired and grouped data: `fixedImages` is `movingImages` (and labels alike). */
  movingImages: ScannedVolume[];
  /** The fixed images in loader index order (unpaired, grouped: the same array as `movingImages`). */
  fixedImages: ScannedVolume[];
  /** Null when unlabeled; an entry is undefined when the label of that image is missing (ids differ). */
  movingLabels: (ScannedVolume | undefined)[] | null;
  /** The fixed labels, as `movingLabels` (unpaired, grouped: the same array). */
  fixedLabels: (ScannedVolume | undefined)[] | null;
  /** Grouped: image indices (into `movingImages`) of each group, in group order; else null. */
  groups: number[][] | null;
  /** Grouped: where each group is (`<dir>/images/<folder>` or `<dir>/images.h5 keys group-<g>-*`); else null. */
  groupNames: string[] | null;
  /** Grouped: the file or folder a group's problems name (NIfTI: the group folder; H5: images.h5). */
  groupFiles: string[] | null;
  /** Grouped: the group as written (NIfTI: folder relative to `images/`; H5: `<g>`); else null. */
  groupIds: string[] | null;
}

interface Entry {
  dir: ScannedDir;
  image: ScannedVolume;
}

const topOf = (dir: ScannedDir, name: string): ScannedTop | undefined => dir.tops.find((t) => t.name === name);

/**
 * DeepReg's order. NIfTI: every `(data directory, relative path)` is sorted together, so data
 * directories come in sorted order of their (resolved) paths; a group is a folder, groups sorted
 * by (data directory, folder). H5: data directories in config order, keys sorted as strings in
 * each file; groups sorted by (data directory, `<g>` as a string), images of a group in key order.
 */
export function splitOrder(scan: DatasetScan): SplitOrder {
  const paired = scan.type === "paired";
  const movingName = paired ? "moving_images" : "images";
  let entries: Entry[] = scan.dirs.flatMap((dir) => (topOf(dir, movingName)?.volumes ?? []).map((image) => ({ dir, image })));
  if (scan.format === "nifti") {
    entries.sort((a, b) => compareCodeUnits(a.dir.dir, b.dir.dir) || compareCodeUnits(a.image.id, b.image.id));
  }
  let groups: number[][] | null = null;
  let groupNames: string[] | null = null;
  let groupFiles: string[] | null = null;
  let groupIds: string[] | null = null;
  if (scan.type === "grouped") {
    const byGroup = new Map<string, { dir: ScannedDir; group: string; members: Entry[] }>();
    for (const entry of entries) {
      const group = entry.image.group;
      if (group === undefined) continue; // a grouped H5 key that is not group-<g>-<i> (a rule reports it)
      const key = `${entry.dir.dir}\u0000${group}`;
      const found = byGroup.get(key) ?? { dir: entry.dir, group, members: [] };
      found.members.push(entry);
      byGroup.set(key, found);
    }
    const sorted = [...byGroup.values()].sort(
      (a, b) => compareCodeUnits(a.dir.dir, b.dir.dir) || compareCodeUnits(a.group, b.group),
    );
    entries = sorted.flatMap((g) => g.members);
    groups = [];
    groupNames = [];
    groupFiles = [];
    groupIds = sorted.map((g) => g.group);
    let offset = 0;
    for (const g of sorted) {
      groups.push(g.members.map((_, i) => offset + i));
      offset += g.members.length;
      if (scan.format === "h5") {
        const file = join(g.dir.dir, "images.h5");
        groupNames.push(`${file} keys group-${g.group}-*`);
        groupFiles.push(file);
      } else {
        const folder = g.group === "." ? join(g.dir.dir, "images") : join(g.dir.dir, "images", ...g.group.split(posix.sep));
        groupNames.push(folder);
        groupFiles.push(folder);
      }
    }
  }
  const indexes = new Map<ScannedTop, Map<string, ScannedVolume>>();
  const counterpart = (name: string) => (entry: Entry) => {
    const top = topOf(entry.dir, name);
    if (top === undefined) return undefined;
    let byId = indexes.get(top);
    if (byId === undefined) {
      byId = new Map(top.volumes.map((v) => [v.id, v]));
      indexes.set(top, byId);
    }
    return byId.get(entry.image.id);
  };
  const movingImages = entries.map((e) => e.image);
  const fixedImages = paired ? (entries.map(counterpart("fixed_images")) as ScannedVolume[]) : movingImages;
  const movingLabels = scan.labeled ? entries.map(counterpart(paired ? "moving_labels" : "labels")) : null;
  const fixedLabels = scan.labeled ? (paired ? entries.map(counterpart("fixed_labels")) : movingLabels) : null;
  return { movingImages, fixedImages, movingLabels, fixedLabels, groups, groupNames, groupFiles, groupIds };
}
