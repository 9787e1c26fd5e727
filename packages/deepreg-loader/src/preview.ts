import { writeFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Sample } from "@deepreg-loader/core";
import { LABEL_COLORS, renderMontage } from "./preview-montage.js";
import type { MontageTile, RenderMontageOptions, RgbaImage } from "./preview-montage.js";
import { midSlice } from "./preview-slice.js";

export type PreviewOptions = RenderMontageOptions;

/**
 * One montage row per sample: the moving image's middle slice with the moving label over it,
 * then the fixed image's with the fixed label (see `midSlice` for the slice and orientation,
 * `renderMontage` for scaling and blending). The label colour follows the label index
 * (`indices` last entry) through `LABEL_COLORS`, so rows of different labels differ.
 */
export function renderPreview(samples: readonly Sample[], options: PreviewOptions = {}): RgbaImage {
  if (samples.length === 0) {
    throw new DeepRegLoaderError("EMPTY", "there are no samples to preview");
  }
  const rows = samples.map((s): MontageTile[] => {
    const labelIndex = s.indices[s.indices.length - 1] ?? -1;
    const color = LABEL_COLORS[Math.max(0, labelIndex) % LABEL_COLORS.length]!;
    const moving: MontageTile = { image: midSlice(s.movingImage), color };
    const fixed: MontageTile = { image: midSlice(s.fixedImage), color };
    if (s.movingLabel) moving.label = midSlice(s.movingLabel);
    if (s.fixedLabel) fixed.label = midSlice(s.fixedLabel);
    return [moving, fixed];
  });
  return renderMontage(rows, options);
}

/** PNG bytes (8-bit RGBA) of a picture. */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

/** Renders `samples` with `renderPreview` and writes the PNG to `path`; returns the picture's size. */
export async function writePreview(
  path: string,
  samples: readonly Sample[],
  options: PreviewOptions = {},
): Promise<{ width: number; height: number }> {
  const image = renderPreview(samples, options);
  try {
    await writeFile(path, encodePng(image));
  } catch (cause) {
    throw new DeepRegLoaderError("WRITE_FAILED", `cannot write ${path}: ${(cause as Error).message}`, {
      file: path,
      cause,
    });
  }
  return { width: image.width, height: image.height };
}
