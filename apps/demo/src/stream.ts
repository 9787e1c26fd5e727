// Streams one dataset split through `createDataLoader` and reports counts, shapes, throughput
// and a preview montage.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { createDataLoader, writePreview } from "deepreg-loader";
import type { DeepRegConfig, Sample, Split } from "deepreg-loader";

export interface StreamOptions {
  /** Epochs to stream. Default 2. */
  epochs?: number;
  seed?: number;
  /** Loader workers; undefined: the loader's default. */
  workers?: number;
  /** Directory the config's relative data paths are resolved against. */
  cwd: string;
  /** Where to write the preview PNG. */
  previewPath: string;
  /** Samples (rows) in the preview. Default 4. */
  previewSamples?: number;
}

export interface StreamReport {
  split: Split;
  type: string;
  numSamples: number;
  movingImageShape: readonly number[];
  fixedImageShape: readonly number[];
  labeled: boolean;
  epochs: number;
  batchSize: number;
  batches: number;
  samples: number;
  /** Bytes of float32 volumes delivered (images and labels). */
  bytes: number;
  seconds: number;
  previewPath: string;
  previewSize: { width: number; height: number };
}

const SPLITS: readonly Split[] = ["train", "valid", "test"];

/** The first split of the config that has data (train, then valid, then test). */
export function firstSplit(config: DeepRegConfig): Split | undefined {
  return SPLITS.find((s) => config.dataset[s] !== null);
}

/**
 * Streams `epochs` training epochs of the first split with data (batch size and shuffle buffer
 * from `train.preprocess`), then writes a preview of the first samples of epoch 0.
 */
export async function streamDataset(config: DeepRegConfig, options: StreamOptions): Promise<StreamReport> {
  const { epochs = 2, seed = 1, workers, cwd, previewPath, previewSamples = 4 } = options;
  const split = firstSplit(config);
  if (split === undefined) throw new Error("the config has no split with data");
  const loader = await createDataLoader(config.dataset, split, {
    seed,
    cwd,
    ...(workers === undefined ? {} : { workers }),
  });
  try {
    const { batch_size: batchSize, shuffle_buffer_num_batch: shuffleBufferNumBatch } = config.train.preprocess;
    let batches = 0;
    let samples = 0;
    let bytes = 0;
    const start = performance.now();
    for await (const batch of loader.batches({ batchSize, training: split === "train", epochs, shuffleBufferNumBatch })) {
      batches++;
      samples += batch.indices.length;
      for (const v of [batch.movingImage, batch.fixedImage, batch.movingLabel, batch.fixedLabel]) {
        if (v) bytes += v.data.byteLength;
      }
    }
    const seconds = (performance.now() - start) / 1000;

    const preview: Sample[] = [];
    for await (const sample of loader.samples({ epoch: 0 })) {
      preview.push(sample);
      if (preview.length >= previewSamples) break;
    }
    await mkdir(dirname(previewPath), { recursive: true });
    const previewSize = await writePreview(previewPath, preview);
    return {
      split,
      type: config.dataset.type,
      numSamples: loader.numSamples,
      movingImageShape: loader.movingImageShape,
      fixedImageShape: loader.fixedImageShape,
      labeled: config.dataset[split]?.labeled ?? false,
      epochs,
      batchSize,
      batches,
      samples,
      bytes,
      seconds,
      previewPath,
      previewSize,
    };
  } finally {
    await loader.close();
  }
}
