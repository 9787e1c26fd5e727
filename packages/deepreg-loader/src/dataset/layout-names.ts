// dataset/layout-names.ts: the folders (NIfTI) and files (H5) DeepReg reads for each dataset
// type. May import @deepreg-loader/core only.
import type { DataFormat, DatasetType } from "@deepreg-loader/core";

/** The top folders (NIfTI) or files (H5, with `.h5`) of a data directory, as DeepReg names them. */
export type TopName = "moving_images" | "fixed_images" | "moving_labels" | "fixed_labels" | "images" | "labels";

/** Top folders (NIfTI) or file stems (H5, plus `.h5`) of each dataset type, images first. */
export const LAYOUT_FOLDERS = {
  paired: {
    images: ["moving_images", "fixed_images"],
    labels: ["moving_labels", "fixed_labels"],
  },
  unpaired: { images: ["images"], labels: ["labels"] },
  grouped: { images: ["images"], labels: ["labels"] },
} as const satisfies Record<DatasetType, { images: readonly TopName[]; labels: readonly TopName[] }>;

/** The top folders/files of a dataset type with their kind, images first (labels when `labeled`). */
export function topNames(type: DatasetType, labeled: boolean): { name: TopName; kind: "image" | "label" }[] {
  const { images, labels } = LAYOUT_FOLDERS[type];
  return [
    ...images.map((name) => ({ name, kind: "image" as const })),
    ...(labeled ? labels.map((name) => ({ name, kind: "label" as const })) : []),
  ];
}

/**
 * The folder names (`moving_images/`) or H5 file names (`moving_images.h5`) a data directory of
 * this type and format holds: images, then labels when `labeled`.
 */
export function layoutEntries(type: DatasetType, format: DataFormat, labeled: boolean): string[] {
  return topNames(type, labeled).map(({ name }) => (format === "h5" ? `${name}.h5` : `${name}/`));
}
