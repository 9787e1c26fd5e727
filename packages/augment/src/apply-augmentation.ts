import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { AugmentationRecord, Sample, SampleAugmentation, Volume } from "@deepreg-loader/core";
import { warpAffine, warpDdf } from "@deepreg-loader/volume-ops";
import { ddfFromLowRes } from "./ddf-from-low-res.js";

type Shape3 = [number, number, number];

function spatial(volume: Volume): Shape3 {
  return volume.shape.slice(0, 3) as Shape3;
}

/**
 * `volumes` (an image and, optionally, its label) warped by one record: `affine` with
 * `warpAffine(v, theta)`, `ddf` with `warpDdf(v, ddfFromLowRes(lowResField, lowResShape, shape))`,
 * the full field computed once per spatial shape.
 */
function warpAll(volumes: Volume[], record: AugmentationRecord): Volume[] {
  if (record.name === "affine") return volumes.map((v) => warpAffine(v, record.theta));
  if (record.name === "ddf") {
    const fields = new Map<string, Volume>();
    return volumes.map((v) => {
      const shape = spatial(v);
      const key = shape.join("x");
      let ddf = fields.get(key);
      if (ddf === undefined) {
        ddf = ddfFromLowRes(record.lowResField, record.lowResShape, shape);
        fields.set(key, ddf);
      }
      return warpDdf(v, ddf);
    });
  }
  throw new DeepRegLoaderError(
    "INVALID_ARGUMENT",
    `applyTransform: unknown augmentation record ${JSON.stringify((record as { name?: unknown }).name)} (expected "affine" or "ddf")`,
  );
}

/**
 * `volume` (3D, or a channel-last 4D label) warped by one augmentation record, as
 * `augmentSample` applies it: replaying a sample's reported records on the un-augmented
 * volumes gives the augmented ones exactly. Throws `INVALID_ARGUMENT` for an unknown record.
 */
export function applyTransform(volume: Volume, record: AugmentationRecord): Volume {
  return warpAll([volume], record)[0] as Volume;
}

/**
 * The sample with its augmentation applied: the moving image and label warped by
 * `augmentation.moving` in order, the fixed ones by `augmentation.fixed`; `indices` unchanged;
 * `augmentation` set on the result. The input sample is not changed. With both lists empty the
 * sample is returned as it is (no `augmentation` key).
 */
export function applyAugmentation(sample: Sample, augmentation: SampleAugmentation): Sample {
  if (augmentation.moving.length === 0 && augmentation.fixed.length === 0) return sample;
  const side = (image: Volume, label: Volume | undefined, records: AugmentationRecord[]): Volume[] => {
    let volumes = label === undefined ? [image] : [image, label];
    for (const record of records) volumes = warpAll(volumes, record);
    return volumes;
  };
  const [movingImage, movingLabel] = side(sample.movingImage, sample.movingLabel, augmentation.moving);
  const [fixedImage, fixedLabel] = side(sample.fixedImage, sample.fixedLabel, augmentation.fixed);
  const out: Sample = {
    ...sample,
    movingImage: movingImage as Volume,
    fixedImage: fixedImage as Volume,
    augmentation: { moving: [...augmentation.moving], fixed: [...augmentation.fixed] },
  };
  if (movingLabel !== undefined) out.movingLabel = movingLabel;
  if (fixedLabel !== undefined) out.fixedLabel = fixedLabel;
  return out;
}
