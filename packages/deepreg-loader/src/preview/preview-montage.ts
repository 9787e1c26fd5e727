// preview/preview-montage.ts: tiles and label overlays into one RGBA image. The preview/ folder
// owns PNG previews of samples; it may import core, volume-ops and preview/.
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Slice2D } from "./preview-slice.js";

/** An RGB colour, each channel 0-255. */
export type Rgb = readonly [number, number, number];

/** One tile of a montage: a greyscale slice, optionally with a label drawn over it in `color`. */
export interface MontageTile {
  image: Slice2D;
  label?: Slice2D;
  /** Colour of the label overlay; default red. */
  color?: Rgb;
}

/** An 8-bit RGBA picture, row-major (`data[(row * width + col) * 4 + channel]`). */
export interface RgbaImage {
  /** Columns, in pixels. */
  width: number;
  /** Rows, in pixels. */
  height: number;
  /** `width * height * 4` bytes: red, green, blue, alpha per pixel. */
  data: Uint8Array;
}

export interface RenderMontageOptions {
  /** Smallest tile edge in pixels; slices are scaled up by an integer factor to fit it. Default 128. */
  minTileSize?: number;
  /** Width of the separator lines between tiles and rows, in pixels. Default 2. */
  gap?: number;
  /** Opacity of a label of value 1 (a label of value v is drawn with opacity `alpha * v`). Default 0.5. */
  alpha?: number;
  /** Colour of the separators. Default grey `[96, 96, 96]`. */
  separatorColor?: Rgb;
}

/** Label colours by label index (cycled): red, green, blue, yellow, magenta, cyan. */
export const LABEL_COLORS: readonly Rgb[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 128, 255],
  [255, 255, 0],
  [255, 0, 255],
  [0, 255, 255],
];

const clamp01 = (v: number) => (v > 1 ? 1 : v >= 0 ? v : 0); // NaN -> 0

/**
 * Lays tiles out as a grid, one row of `rows` per line, every tile a square of the same size:
 * `max(minTileSize, largest slice edge)` pixels. Each slice is scaled up by the largest integer
 * factor that fits (nearest neighbour) and centred on black. Image values are clamped to [0, 1]
 * and drawn grey (`round(v * 255)`); a label value `l` blends the label colour over the grey
 * with opacity `alpha * clamp(l, 0, 1)`, so soft labels show as soft. Separators of `gap`
 * pixels lie between tiles and between rows (none around the border).
 */
export function renderMontage(rows: readonly (readonly MontageTile[])[], options: RenderMontageOptions = {}): RgbaImage {
  const { minTileSize = 128, gap = 2, alpha = 0.5, separatorColor = [96, 96, 96] } = options;
  const columns = Math.max(0, ...rows.map((r) => r.length));
  if (rows.length === 0 || columns === 0) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", "a montage needs at least one tile");
  }
  let tile = minTileSize;
  for (const row of rows) {
    for (const t of row) {
      if (t.label && (t.label.width !== t.image.width || t.label.height !== t.image.height)) {
        throw new DeepRegLoaderError(
          "SHAPE",
          `a label slice of ${t.label.width}x${t.label.height} cannot overlay an image slice of ${t.image.width}x${t.image.height}`,
        );
      }
      tile = Math.max(tile, t.image.width, t.image.height);
    }
  }
  const width = columns * tile + (columns - 1) * gap;
  const height = rows.length * tile + (rows.length - 1) * gap;
  const data = new Uint8Array(width * height * 4);
  // Fill with the separator colour, then paint each tile (black background + slice) over it.
  for (let p = 0; p < width * height; p++) {
    data[p * 4] = separatorColor[0];
    data[p * 4 + 1] = separatorColor[1];
    data[p * 4 + 2] = separatorColor[2];
    data[p * 4 + 3] = 255;
  }
  rows.forEach((row, r) => {
    for (let c = 0; c < columns; c++) {
      const x0 = c * (tile + gap);
      const y0 = r * (tile + gap);
      for (let y = 0; y < tile; y++) {
        const start = ((y0 + y) * width + x0) * 4;
        for (let x = 0; x < tile; x++) {
          data[start + x * 4] = 0;
          data[start + x * 4 + 1] = 0;
          data[start + x * 4 + 2] = 0;
        }
      }
      const t = row[c];
      if (t) paintTile(data, width, x0, y0, tile, t, alpha);
    }
  });
  return { width, height, data };
}

function paintTile(
  data: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  tile: number,
  t: MontageTile,
  alpha: number,
): void {
  const { image, label } = t;
  const color = t.color ?? LABEL_COLORS[0]!;
  const scale = Math.max(1, Math.floor(tile / Math.max(image.width, image.height)));
  const left = x0 + ((tile - image.width * scale) >> 1);
  const top = y0 + ((tile - image.height * scale) >> 1);
  for (let y = 0; y < image.height * scale; y++) {
    const srcRow = Math.floor(y / scale) * image.width;
    for (let x = 0; x < image.width * scale; x++) {
      const src = srcRow + Math.floor(x / scale);
      const grey = clamp01(image.data[src]!) * 255;
      const a = label ? alpha * clamp01(label.data[src]!) : 0;
      const p = ((top + y) * width + left + x) * 4;
      data[p] = Math.round(grey * (1 - a) + color[0] * a);
      data[p + 1] = Math.round(grey * (1 - a) + color[1] * a);
      data[p + 2] = Math.round(grey * (1 - a) + color[2] * a);
    }
  }
}
