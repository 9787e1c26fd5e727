// pipeline/prepare-volume.ts: one volume read into what a sample holds (checked with
// dataset/volume-rules.ts, normalised, resized), the same on the main thread and in a worker.
// May import core, volume-ops and dataset/ (problem, volume-rules).
import { DeepRegLoaderError, createVolume, isDeepRegLoaderError } from "@deepreg-loader/core";
import type { AugmentationRecord, DataFormat, Volume } from "@deepreg-loader/core";
import { columnMajorChannels, columnMajorToRowMajor, normalize, resize, splitChannels, takeChannel, valueRange, valueRangeOf } from "@deepreg-loader/volume-ops";
import type { ValueRange } from "@deepreg-loader/volume-ops";
import { errorFromProblem, where } from "../dataset/problem.js";
import { imageRangeProblem, imageShapeProblem, labelRangeProblem, labelShapeProblem } from "../dataset/volume-rules.js";

/** What a volume is used as: images are normalised, labels checked to lie in [0, 1]. */
export type VolumeKind = "image" | "label";

/**
 * One volume to read and preprocess: plain data, so it crosses to a worker as it is.
 * `shape` is the target spatial shape (`movingImageShape` or `fixedImageShape`).
 */
export interface VolumeTask {
  kind: VolumeKind;
  format: DataFormat;
  path: string;
  /** The H5 key, for H5 data. */
  key?: string;
  shape: [number, number, number];
  /**
   * Labels only: prepare just this channel of a 4D label, as a 3D volume (the readers convert
   * only that channel: a third of the work for DeepReg's 3-channel labels when one label is
   * sampled per pair). Default: every channel.
   */
  channel?: number;
  /**
   * Labels without `channel`: a label of C > 1 channels comes back as `planes`, one 3D array
   * per channel, instead of one channel-last array (each sample then takes its channel as it
   * is, no gather; from NIfTI each channel is one contiguous block, reordered on its own).
   * Default false.
   */
  planes?: boolean;
  /** Only measure: decode and return the value range (`range`), no data (`check`). */
  measure?: boolean;
  /** The readers' size cap (`maxBytes`, bytes of float32 output). Default core's `DEFAULT_MAX_BYTES`. */
  maxBytes?: number;
  /**
   * A recycled array (`loader.recycle`) to write the output into, so no fresh memory is paged
   * in: used when it has exactly the output's length and the output is written in one pass
   * (a NIfTI volume without scaling that needs no resize); otherwise handed back as `spare`.
   * Its contents are overwritten. Transferred with the task to a worker.
   */
  out?: Float32Array;
  /**
   * Training augmentation fused into the read: the prepared volume is warped by these records
   * (its side's, in order; pipeline/augment-task.ts `warpPrepared`) before it is handed back, so
   * it belongs to one sample. Never set for a cached or shared read.
   */
  augment?: AugmentationRecord[];
}

/**
 * A preprocessed volume: an image normalised and resized to `[d1, d2, d3]`, or a label resized
 * with its channels carried (`[d1, d2, d3]` or `[d1, d2, d3, C]`, C > 1). `data` owns its whole
 * buffer (transferable). `rawShape` is the shape as read, after squeezing a one-channel label
 * (for a task with a `channel`: the spatial shape `[d1, d2, d3]`).
 */
export interface PreparedVolume {
  data: Float32Array;
  shape: number[];
  rawShape: number[];
  /**
   * A task with `planes` and a label of C > 1 channels: channel `c` as a row-major 3D array of
   * its own (`shape` is `[d1, d2, d3, C]`, `data` is empty).
   */
  planes?: Float32Array[];
  /** Value range of the volume as read (tasks with `measure`). */
  range?: { min: number; max: number };
  /** `data` is the task's `out` (a recycled array). */
  reused?: boolean;
  /** The task's `out` when it was not used, for the next task (transferred back from a worker). */
  spare?: Float32Array;
}

/** `path` or `path ["k"]`, for messages (the one "file and key" of dataset/problem.ts). */
export function describeSource(source: { path: string; key?: string | undefined }): string {
  return where(source.path, source.key);
}

/** Re-throws `error` as a DeepRegLoaderError that names the file (and key). */
export function withSource(error: unknown, source: { path: string; key?: string | undefined }): DeepRegLoaderError {
  const named = describeSource(source);
  if (isDeepRegLoaderError(error)) {
    if (error.message.includes(source.path)) return error;
    return new DeepRegLoaderError(error.code, `${named}: ${error.message}`, {
      file: source.path,
      cause: error,
      details: { ...error.details, ...(source.key === undefined ? {} : { key: source.key }) },
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeepRegLoaderError("READ_FAILED", `${named}: ${message}`, { file: source.path, cause: error });
}

/**
 * Validates and preprocesses a raw volume as DeepReg does. Images: must be 3D (`SHAPE`),
 * finite (`VALUE_RANGE`), normalised, resized to `task.shape`, in [0, 1] after that
 * (`VALUE_RANGE`). Labels: 3D or 4D (`SHAPE`; a 4D label with one channel becomes 3D), every
 * value in [0, 1] (`LABEL_RANGE`), resized with channels carried (with `task.channel`: that
 * channel only, as 3D).
 * Errors name the file. Runs on the main thread or in a worker, with the same result.
 *
 * Takes `raw` over: its buffer may be normalised in place and returned (a shape that needs no
 * resize is not copied), so the caller must not use `raw` afterwards.
 */
export function prepareVolume(raw: Volume, task: VolumeTask): PreparedVolume {
  try {
    if (task.measure === true) return withSpare({ data: new Float32Array(0), shape: [...raw.shape], rawShape: [...raw.shape], range: valueRange(raw) }, task.out);
    return withSpare(task.kind === "image" ? prepareImage(raw, task) : prepareLabel(raw, task), task.out);
  } catch (error) {
    throw withSource(error, task);
  }
}

/**
 * {@link prepareVolume} of a NIfTI file's stored voxels (`readNiftiRaw`: column-major, any
 * numeric type), with the same result bit for bit but fewer passes over memory: the value range
 * is taken on the stored values (int16 or uint8: a half or a quarter of the float32 bytes), and
 * an image is normalised while it is reordered (one pass writing the output instead of three:
 * reorder, range, normalise). Scaled files (`scl_slope`) take the general path.
 */
export function prepareRawVolume(raw: { values: ArrayLike<number>; shape: number[]; scale: { slope: number; inter: number } | undefined }, task: VolumeTask): PreparedVolume {
  if (raw.scale !== undefined || task.measure === true) {
    return prepareVolume(createVolume(columnMajorToRowMajor(raw.values, raw.shape, raw.scale ?? {}), raw.shape), task);
  }
  try {
    const rawShape = [...raw.shape];
    if (task.kind === "image") {
      const shapeProblem = imageShapeProblem(rawShape, task.path, task.key);
      if (shapeProblem !== undefined) throw errorFromProblem(shapeProblem, { shape: rawShape });
      const range = valueRangeOf(raw.values);
      const rangeProblem = imageRangeProblem(range, task.path, task.key);
      if (rangeProblem !== undefined) throw errorFromProblem(rangeProblem, { min: range.min, max: range.max });
      const out = outFor(task, rawShape);
      const normalized = createVolume(columnMajorToRowMajor(raw.values, rawShape, { normalize: range, ...(out === undefined ? {} : { out }) }), rawShape);
      const resized = sameSpatialShape(rawShape, task.shape) ? normalized : resizeFor(normalized, task);
      return withSpare({ data: ownBuffer(resized.data), shape: [...resized.shape], rawShape }, task.out);
    }
    // A label read whole with a channel asked (a 4D label cached whole): the general path.
    if (task.channel !== undefined && rawShape.length === 4) {
      return prepareVolume(createVolume(columnMajorToRowMajor(raw.values, raw.shape), raw.shape), task);
    }
    const range = valueRangeOf(raw.values);
    if (task.planes === true && task.channel === undefined && rawShape.length === 4 && (rawShape[3] as number) > 1) {
      checkLabel(rawShape, range, task);
      return withSpare(labelPlanes(columnMajorChannels(raw.values, rawShape), rawShape, task), task.out);
    }
    const out = outFor(task, rawShape);
    const label = prepareLabel(createVolume(columnMajorToRowMajor(raw.values, rawShape, out === undefined ? {} : { out }), rawShape), task, range);
    return withSpare(label, task.out);
  } catch (error) {
    throw withSource(error, task);
  }
}

function prepareImage(raw: Volume, task: VolumeTask): PreparedVolume {
  const rawShape = [...raw.shape];
  const shapeProblem = imageShapeProblem(rawShape, task.path, task.key);
  if (shapeProblem !== undefined) throw errorFromProblem(shapeProblem, { shape: rawShape });
  // `raw` is a fresh read that nothing else holds: normalise it in place (no second volume to
  // allocate and page in), with the range found once.
  const range = valueRange(raw);
  const rangeProblem = imageRangeProblem(range, task.path, task.key);
  if (rangeProblem !== undefined) throw errorFromProblem(rangeProblem, { min: range.min, max: range.max });
  const normalized = normalize(raw, raw.data.length === raw.size ? { range, out: raw.data } : { range });
  const resized = sameSpatialShape(raw.shape, task.shape) ? normalized : resizeFor(normalized, task);
  return { data: ownBuffer(resized.data), shape: [...resized.shape], rawShape };
}

/** `knownRange`: the label's value range when the caller has it (taken on the stored values). */
function prepareLabel(raw: Volume, task: VolumeTask, knownRange?: ValueRange): PreparedVolume {
  let label = raw;
  const shape = raw.shape;
  // A reader that ignored the channel (or a 4D label cached whole): take it here.
  if (task.channel !== undefined && shape.length === 4) {
    return prepareLabel(takeChannel(raw, task.channel), task);
  }
  const shapeProblem = labelShapeProblem(shape, task.path, task.key);
  if (shapeProblem !== undefined) throw errorFromProblem(shapeProblem, { shape: [...shape] });
  if (shape.length === 4 && shape[3] === 1) label = createVolume(raw.data, shape.slice(0, 3));
  const range = knownRange ?? valueRange(label);
  const rangeProblem = labelRangeProblem(range, task.path, task.key);
  if (rangeProblem !== undefined) throw errorFromProblem(rangeProblem, { min: range.min, max: range.max });
  if (task.planes === true && label.shape.length === 4) {
    return labelPlanes(splitChannels(label).map((v) => v.data), [...label.shape], task);
  }
  const resized = sameSpatialShape(label.shape, task.shape) ? label : resizeFor(label, task);
  return { data: ownBuffer(resized.data), shape: [...resized.shape], rawShape: [...label.shape] };
}

/** Throws the shape or value-range problem of a label (an error naming the file), if any. */
function checkLabel(shape: number[], range: ValueRange, task: VolumeTask): void {
  const shapeProblem = labelShapeProblem(shape, task.path, task.key);
  if (shapeProblem !== undefined) throw errorFromProblem(shapeProblem, { shape: [...shape] });
  const rangeProblem = labelRangeProblem(range, task.path, task.key);
  if (rangeProblem !== undefined) throw errorFromProblem(rangeProblem, { min: range.min, max: range.max });
}

/** A checked label of `rawShape` `[d1, d2, d3, C]` as C planes, each resized to `task.shape`. */
function labelPlanes(planes: Float32Array[], rawShape: number[], task: VolumeTask): PreparedVolume {
  const spatial = rawShape.slice(0, 3);
  const resized = sameSpatialShape(spatial, task.shape) ? planes : planes.map((p) => resize(createVolume(p, spatial), task.shape).data);
  return { data: new Float32Array(0), planes: resized.map(ownBuffer), shape: [...task.shape, planes.length], rawShape: [...rawShape] };
}

/**
 * The task's recycled `out` when the output of a one-pass conversion of `rawShape` fits it
 * exactly: no resize, and as many elements (a 4D label of one channel included).
 */
export function outFor(task: VolumeTask, rawShape: readonly number[]): Float32Array | undefined {
  const out = task.out;
  if (out === undefined || !sameSpatialShape(rawShape, task.shape)) return undefined;
  return out.length === rawShape.reduce((a, b) => a * b, 1) && (rawShape.length === 3 || rawShape[3] === 1) ? out : undefined;
}

/** `volume` resized to `task.shape`, into the task's `out` when that is the result's length. */
function resizeFor(volume: Volume, task: VolumeTask): Volume {
  const out = task.out;
  const size = task.shape[0] * task.shape[1] * task.shape[2] * (volume.shape.length === 4 ? (volume.shape[3] as number) : 1);
  return resize(volume, task.shape, out !== undefined && out.length === size ? { out } : {});
}

/** `prepared` marked `reused` when its data is `out`, else with `out` handed back as `spare`. */
function withSpare(prepared: PreparedVolume, out: Float32Array | undefined): PreparedVolume {
  if (out === undefined) return prepared;
  if (prepared.data === out) return { ...prepared, reused: true };
  return { ...prepared, spare: out };
}

/** Whether the first three axes of `shape` equal `target` (resize would only copy). */
function sameSpatialShape(shape: readonly number[], target: readonly number[]): boolean {
  return shape[0] === target[0] && shape[1] === target[1] && shape[2] === target[2];
}

/** `data` itself when it spans its whole buffer, else a copy (so transfer and byte counts are exact). */
function ownBuffer(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}
