// preview/preview.ts: samples to a PNG montage (`renderPreview`, `writePreview`). May import
// core, volume-ops, pngjs and preview/.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { PNG } from "pngjs";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Sample, Volume } from "@deepreg-loader/core";
import { LABEL_COLORS, renderMontage } from "./preview-montage.js";
import type { MontageTile, RenderMontageOptions, Rgb, RgbaImage } from "./preview-montage.js";
import { labelSliceIndex, midSlice, sliceAt } from "./preview-slice.js";

/** Which slice along the last axis a preview tile shows. */
export type PreviewSlice = "mid" | "label";

/** Options of {@link renderPreview} and {@link writePreview}: the montage's options and the slice shown. */
export interface PreviewOptions extends RenderMontageOptions {
  /**
   * `mid` (default): the middle slice of every tile. `label`: per tile, the slice through its
   * label's centre of mass (`labelSliceIndex`), so small labels such as landmarks show; the
   * middle slice for a tile without label or with an empty one.
   */
  slice?: PreviewSlice;
}

/**
 * One montage row per sample: the moving image's middle slice (or, with `slice: "label"`, the
 * slice through the moving label's centre of mass) with the moving label over it, then the
 * fixed image's with the fixed label (see `sliceAt` for the orientation, `renderMontage` for
 * scaling and blending). The label colour follows the label index (`indices` last entry)
 * through `LABEL_COLORS`, so rows of different labels differ.
 */
export function renderPreview(samples: readonly Sample[], options: PreviewOptions = {}): RgbaImage {
  if (samples.length === 0) {
    throw new DeepRegLoaderError("EMPTY", "there are no samples to preview");
  }
  const { slice = "mid", ...montage } = options;
  const rows = samples.map((s): MontageTile[] => {
    const labelIndex = s.indices[s.indices.length - 1] ?? -1;
    const color = LABEL_COLORS[Math.max(0, labelIndex) % LABEL_COLORS.length]!;
    return [tile(s.movingImage, s.movingLabel, color, slice), tile(s.fixedImage, s.fixedLabel, color, slice)];
  });
  return renderMontage(rows, montage);
}

function tile(image: Volume, label: Volume | undefined, color: Rgb, slice: PreviewSlice): MontageTile {
  if (!label) return { image: midSlice(image), color };
  const k = slice === "label" ? labelSliceIndex(label) : -1;
  return k < 0
    ? { image: midSlice(image), label: midSlice(label), color }
    : { image: sliceAt(image, k), label: sliceAt(label, k), color };
}

/** PNG bytes (8-bit RGBA) of a picture. */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

/** Renders `samples` with `renderPreview` and writes the PNG to `path` (its folder created if missing); returns the picture's size. */
export async function writePreview(
  path: string,
  samples: readonly Sample[],
  options: PreviewOptions = {},
): Promise<{ width: number; height: number }> {
  const image = renderPreview(samples, options);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, encodePng(image));
  } catch (cause) {
    throw new DeepRegLoaderError("WRITE_FAILED", `cannot write ${path}: ${(cause as Error).message}`, {
      file: path,
      cause,
    });
  }
  return { width: image.width, height: image.height };
}
