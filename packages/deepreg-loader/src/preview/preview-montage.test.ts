import { describe, expect, it } from "vitest";
import { renderMontage } from "./preview-montage.js";
import type { RgbaImage } from "./preview-montage.js";
import type { Slice2D } from "./preview-slice.js";

const slice = (width: number, height: number, values: number[]): Slice2D => ({
  width,
  height,
  data: Float32Array.from(values),
});
const pixel = (img: RgbaImage, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];

describe("renderMontage", () => {
  it("renderMontage(2 rows x 2 tiles of 4x2 and 8x8 slices, minTileSize 16, gap 2)", () => {
    const a = slice(4, 2, [0, 0.5, 1, 2, -1, 0.25, 0.75, 1]);
    const b = slice(8, 8, Array.from({ length: 64 }, (_, i) => i / 63));
    const img = renderMontage(
      [
        [{ image: a }, { image: b }],
        [{ image: b }],
      ],
      { minTileSize: 16, gap: 2 },
    );
    expect(img.width).toBe(16 + 2 + 16);
    expect(img.height).toBe(16 + 2 + 16);
    // slice a: scale 4 -> 16x8, centred vertically: rows 4..11
    expect(pixel(img, 0, 0)).toEqual([0, 0, 0, 255]); // black margin
    expect(pixel(img, 0, 4)).toEqual([0, 0, 0, 255]); // value 0
    expect(pixel(img, 4, 4)).toEqual([128, 128, 128, 255]); // 0.5 -> 127.5 rounds to 128
    expect(pixel(img, 15, 7)).toEqual([255, 255, 255, 255]); // 2 clamped to 1
    expect(pixel(img, 0, 8)).toEqual([0, 0, 0, 255]); // -1 clamped to 0
    expect(pixel(img, 7, 11)).toEqual([64, 64, 64, 255]); // 0.25
    // separator column and row
    expect(pixel(img, 16, 0)).toEqual([96, 96, 96, 255]);
    expect(pixel(img, 17, 30)).toEqual([96, 96, 96, 255]);
    expect(pixel(img, 0, 17)).toEqual([96, 96, 96, 255]);
    // slice b in the second column, scale 2: pixel (x, y) of the tile shows b[y >> 1][x >> 1]
    expect(pixel(img, 18 + 15, 15)).toEqual([255, 255, 255, 255]);
    expect(pixel(img, 18 + 3, 0)).toEqual([4, 4, 4, 255]); // b[0][1] = 1/63 * 255
    // second row has one tile: the missing tile stays black
    expect(pixel(img, 18 + 5, 18 + 5)).toEqual([0, 0, 0, 255]);
    expect(pixel(img, 15, 18 + 15)).toEqual([255, 255, 255, 255]);
  });

  it("renderMontage(label overlay, alpha 0.5) blends the colour by label value", () => {
    const image = slice(2, 1, [1, 0]);
    const label = slice(2, 1, [1, 0.5]);
    const img = renderMontage([[{ image, label, color: [0, 255, 0] }]], { minTileSize: 2 });
    expect(img.width).toBe(2);
    expect(img.height).toBe(2);
    expect(pixel(img, 0, 0)).toEqual([128, 255, 128, 255]); // white at alpha 0.5: 127.5 grey + 127.5 green
    expect(pixel(img, 1, 0)).toEqual([0, 64, 0, 255]); // black at alpha 0.25: 63.75 green
    expect(pixel(img, 0, 1)).toEqual([0, 0, 0, 255]); // bottom margin row (1 px slice centred in 2 px)
  });

  it("renderMontage([]) throws", () => {
    expect(() => renderMontage([])).toThrow(/at least one tile/);
  });
});
