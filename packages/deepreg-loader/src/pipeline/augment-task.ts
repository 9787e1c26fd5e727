// pipeline/augment-task.ts: the warps of a sample's augmentation, run on the main thread or in
// a worker of the loader's pool: fused into a volume's read task (`warpPrepared` after
// preparing, VolumeTask.augment), or as a task of their own for volumes already read
// (`warpSample`, worker.ts answers it), the volumes handed over and back as plain data. The
// parameters are drawn elsewhere (loader/augment-stage.ts); this file only applies them. May
// import core, volume-ops, augment and pipeline/ (worker-pool, buffer-pool, prepare-volume types).
import { createVolume, toVolumeData } from "@deepreg-loader/core";
import type { AugmentationRecord, Sample, SampleAugmentation, Volume, VolumeData } from "@deepreg-loader/core";
import { applyAugmentation, applyTransform, ddfFromLowRes } from "@deepreg-loader/augment";
import { warpAffine, warpDdf } from "@deepreg-loader/volume-ops";
import { withSource } from "./prepare-volume.js";
import type { PreparedVolume, VolumeTask } from "./prepare-volume.js";
import { BufferPool } from "./buffer-pool.js";
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
  run(task: never, transfer?: ArrayBuffer[]): Promise<unknown>;
}

/** True for a message task that is an `AugmentTask`. */
export function isAugmentTask(task: unknown): task is AugmentTask {
  return typeof task === "object" && task !== null && (task as { op?: unknown }).op === "augment";
}

const VOLUME_KEYS = ["movingImage", "fixedImage", "movingLabel", "fixedLabel"] as const;
type VolumeKey = (typeof VOLUME_KEYS)[number];

/**
 * Arrays the warps of the current worker thread freed, written again by its next warps: memory
 * already paged in (on the project's VM the first touch of fresh memory costs about as much as
 * the warp itself; docs/decisions.md). At most 2 per size. On the main thread the loader passes
 * its own pool (the one `loader.recycle` feeds), so freed and recycled arrays serve each other.
 */
const threadBuffers = new BufferPool(2);

/**
 * `volume` warped by `records` in order (`affine`: `warpAffine`, `ddf`: `warpDdf` with the
 * record's full field), exactly as `applyTransform` does one record after the other. Takes
 * `volume` over: its array is given to `buffers` once warped (so the caller must not use it
 * again), and each output is taken from `buffers`.
 */
export function warpOwned(volume: Volume, records: readonly AugmentationRecord[], buffers: BufferPool): Volume {
  let current = volume;
  for (const record of records) {
    const out = buffers.take(current.size) ?? new Float32Array(current.size);
    let next: Volume;
    if (record.name === "affine") next = warpAffine(current, record.theta, { out });
    else if (record.name === "ddf") next = warpDdf(current, ddfFromLowRes(record.lowResField, record.lowResShape, current.shape.slice(0, 3) as [number, number, number]), { out });
    else next = applyTransform(current, record); // throws INVALID_ARGUMENT for an unknown record
    // Only an array spanning its whole buffer: a view's buffer may hold other data.
    const { data } = current;
    if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) buffers.give(data.buffer as ArrayBuffer);
    current = next;
  }
  return current;
}

/**
 * A read task's prepared volume warped by the side's `records` (`VolumeTask.augment`), in the
 * worker or on the main thread (`buffers`: the thread's own by default). Takes `prepared` over.
 */
export function warpPrepared(prepared: PreparedVolume, records: readonly AugmentationRecord[], buffers: BufferPool = threadBuffers): PreparedVolume {
  if (records.length === 0) return prepared;
  const warped = warpOwned(createVolume(prepared.data, prepared.shape), records, buffers);
  return { ...prepared, data: warped.data, shape: [...warped.shape] };
}

/** `warpPrepared` of a read task's volume by `task.augment`, errors naming the task's file. */
export function warpPreparedOf(prepared: PreparedVolume, task: VolumeTask, buffers?: BufferPool): PreparedVolume {
  try {
    return warpPrepared(prepared, task.augment ?? [], buffers);
  } catch (error) {
    throw withSource(error, task);
  }
}

function volumesOf(sample: Sample): SampleVolumes {
  const volumes: SampleVolumes = { movingImage: toVolumeData(sample.movingImage), fixedImage: toVolumeData(sample.fixedImage) };
  if (sample.movingLabel) volumes.movingLabel = toVolumeData(sample.movingLabel);
  if (sample.fixedLabel) volumes.fixedLabel = toVolumeData(sample.fixedLabel);
  return volumes;
}

/** Worker side: the warped volumes of `task` and the buffers to transfer back. */
export function runAugmentTask(task: AugmentTask, buffers: BufferPool = threadBuffers): { result: SampleVolumes; transfer: ArrayBuffer[] } {
  const { volumes, augmentation } = task;
  const result = {} as SampleVolumes;
  // The task's volumes belong to this thread (copied or transferred to it): warp them as owned.
  for (const key of VOLUME_KEYS) {
    const v = volumes[key];
    if (v === undefined) continue;
    const records = key === "movingImage" || key === "movingLabel" ? augmentation.moving : augmentation.fixed;
    result[key] = toVolumeData(warpOwned(createVolume(v.data, v.shape), records, buffers));
  }
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

/** Which of a sample's volumes it holds alone (nothing else uses their arrays: no cache, no other sample). */
export type OwnedVolumes = Partial<Record<VolumeKey, boolean>>;

/**
 * `sample` warped with `augmentation` (`applyAugmentation`'s values): on the main thread, or in a
 * worker of `pool` when there is one. A volume of `owned` is handed to the worker by transfer
 * (its array is detached here) and its memory re-used; any other is copied to the worker (so a
 * cached or shared volume is never changed). On the main thread the warps write new arrays (or
 * `buffers`' for owned volumes). The result carries `augmentation`. `path` names the sample in
 * a worker's error.
 */
export async function warpSample(
  sample: Sample,
  augmentation: SampleAugmentation,
  pool: AugmentPool | null,
  path: string,
  owned: OwnedVolumes = {},
  buffers?: BufferPool,
): Promise<Sample> {
  if (augmentation.moving.length === 0 && augmentation.fixed.length === 0) return sample;
  let warped: SampleVolumes;
  if (pool === null) {
    warped = {} as SampleVolumes;
    for (const key of VOLUME_KEYS) {
      const v = sample[key];
      if (v === undefined) continue;
      const records = key === "movingImage" || key === "movingLabel" ? augmentation.moving : augmentation.fixed;
      const own = owned[key] === true && buffers !== undefined;
      warped[key] = toVolumeData(own ? warpOwned(v, records, buffers) : applyAugmentation({ movingImage: v, fixedImage: v, indices: [] }, { moving: records, fixed: [] }).movingImage);
    }
  } else {
    const volumes = volumesOf(sample);
    const transfer = VOLUME_KEYS.flatMap((k) => (owned[k] === true && volumes[k] !== undefined ? [volumes[k].data.buffer as ArrayBuffer] : []));
    const task: AugmentTask = { op: "augment", path, volumes, augmentation };
    warped = (await pool.run(task as never, transfer)) as SampleVolumes;
  }
  const out: Sample = {
    ...sample,
    movingImage: createVolume(warped.movingImage.data, warped.movingImage.shape),
    fixedImage: createVolume(warped.fixedImage.data, warped.fixedImage.shape),
    augmentation: { moving: [...augmentation.moving], fixed: [...augmentation.fixed] },
  };
  if (warped.movingLabel) out.movingLabel = createVolume(warped.movingLabel.data, warped.movingLabel.shape);
  if (warped.fixedLabel) out.fixedLabel = createVolume(warped.fixedLabel.data, warped.fixedLabel.shape);
  return out;
}
