// pipeline/augment-task.ts: the warps of a sample's augmentation, run on the main thread or as
// a task of the loader's worker pool (worker.ts answers it), with the volumes handed over and
// back as plain data. The parameters are drawn elsewhere (loader/augment-stage.ts); this file
// only applies them. May import core, augment and pipeline/worker-pool.
import { createVolume, toVolumeData } from "@deepreg-loader/core";
import type { Sample, SampleAugmentation, VolumeData } from "@deepreg-loader/core";
import { applyAugmentation } from "@deepreg-loader/augment";
import { serializeError } from "./worker-pool.js";

/** A sample's volumes as plain data, for a worker. */
interface SampleVolumes {
  movingImage: VolumeData;
  fixedImage: VolumeData;
  movingLabel?: VolumeData;
  fixedLabel?: VolumeData;
}

/** A warp task for the loader's worker threads (`worker.ts` answers it with `answerAugmentTask`). */
export interface AugmentTask {
  op: "augment";
  /** The moving image's file, for error messages (the pool names it). */
  path: string;
  volumes: SampleVolumes;
  augmentation: SampleAugmentation;
}

/** What `warpSample` needs of a worker pool (the loader's pool runs volume tasks and these). */
export interface AugmentPool {
  run(task: never): Promise<unknown>;
}

/** True for a message task that is an `AugmentTask`. */
export function isAugmentTask(task: unknown): task is AugmentTask {
  return typeof task === "object" && task !== null && (task as { op?: unknown }).op === "augment";
}

const VOLUME_KEYS = ["movingImage", "fixedImage", "movingLabel", "fixedLabel"] as const;

function volumesOf(sample: Sample): SampleVolumes {
  const volumes: SampleVolumes = { movingImage: toVolumeData(sample.movingImage), fixedImage: toVolumeData(sample.fixedImage) };
  if (sample.movingLabel) volumes.movingLabel = toVolumeData(sample.movingLabel);
  if (sample.fixedLabel) volumes.fixedLabel = toVolumeData(sample.fixedLabel);
  return volumes;
}

/** Worker side: the warped volumes of `task` and the buffers to transfer back. */
export function runAugmentTask(task: AugmentTask): { result: SampleVolumes; transfer: ArrayBuffer[] } {
  const { volumes } = task;
  const sample: Sample = {
    movingImage: createVolume(volumes.movingImage.data, volumes.movingImage.shape),
    fixedImage: createVolume(volumes.fixedImage.data, volumes.fixedImage.shape),
    indices: [],
  };
  if (volumes.movingLabel) sample.movingLabel = createVolume(volumes.movingLabel.data, volumes.movingLabel.shape);
  if (volumes.fixedLabel) sample.fixedLabel = createVolume(volumes.fixedLabel.data, volumes.fixedLabel.shape);
  const result = volumesOf(applyAugmentation(sample, task.augmentation));
  const transfer = VOLUME_KEYS.flatMap((k) => (result[k] ? [result[k].data.buffer as ArrayBuffer] : []));
  return { result, transfer };
}

/**
 * Worker side (`worker.ts`): answers an `AugmentTask` message on `port`, transferring the
 * warped volumes, or an error as the pool expects it.
 */
export function answerAugmentTask(
  port: { postMessage(message: unknown, transfer?: ArrayBuffer[]): void },
  message: { id: number; task: AugmentTask },
): void {
  try {
    const { result, transfer } = runAugmentTask(message.task);
    port.postMessage({ id: message.id, ok: true, result }, transfer);
  } catch (error) {
    port.postMessage({ id: message.id, ok: false, error: serializeError(error) });
  }
}

/**
 * `sample` warped with `augmentation` (`applyAugmentation`): on the main thread, or in a worker
 * of `pool` when there is one (the volumes are copied to the worker, so a cached volume is never
 * changed). The result owns new arrays and carries `augmentation`; `sample` is not changed.
 * `path` names the sample in a worker's error.
 */
export async function warpSample(
  sample: Sample,
  augmentation: SampleAugmentation,
  pool: AugmentPool | null,
  path: string,
): Promise<Sample> {
  if (pool === null) return applyAugmentation(sample, augmentation);
  const task: AugmentTask = { op: "augment", path, volumes: volumesOf(sample), augmentation };
  const warped = (await pool.run(task as never)) as SampleVolumes;
  const out: Sample = {
    ...sample,
    movingImage: createVolume(warped.movingImage.data, warped.movingImage.shape),
    fixedImage: createVolume(warped.fixedImage.data, warped.fixedImage.shape),
    augmentation,
  };
  if (warped.movingLabel) out.movingLabel = createVolume(warped.movingLabel.data, warped.movingLabel.shape);
  if (warped.fixedLabel) out.fixedLabel = createVolume(warped.fixedLabel.data, warped.fixedLabel.shape);
  return out;
}
