// A tiny registration network in TensorFlow.js (pure JS CPU backend): a 3-layer 3D conv net
// reads [moving, fixed] and predicts a dense displacement field (DDF); the moving image and
// label are warped by it (trilinear, like DeepReg's resampler) and compared with the fixed
// ones. Loss = image MSE + label Dice loss + a small smoothness penalty on the DDF.
import * as tf from "@tensorflow/tfjs";
import type { BatchTensors } from "@deepreg-loader/tfjs";
import type { Random } from "./random.js";

/** A loader's batches as tensors (`toDataset` of @deepreg-loader/tfjs), `[B, d1, d2, d3]` each. */
export type TrainingDataset = tf.data.Dataset<BatchTensors>;

export interface TrainStep {
  step: number;
  loss: number;
  /** Mean Dice of the warped moving label vs the fixed label (labeled batches only). */
  dice: number | undefined;
  /** Mean Dice of the unwarped moving label vs the fixed label, for comparison. */
  diceBefore: number | undefined;
}

export interface TrainOptions {
  /** Number of optimisation steps. Default 30. */
  steps?: number;
  /** Adam learning rate. Default 0.01. */
  learningRate?: number;
  /** Seed source for the initial weights. */
  random: Random;
  /** Called after every step. */
  onStep?: (step: TrainStep) => void;
}

let ready: Promise<void> | undefined;

/** Selects the pure JS CPU backend and silences TF.js's "install tfjs-node" notice. */
export function initTf(): Promise<void> {
  ready ??= (async () => {
    tf.enableProdMode();
    await tf.setBackend("cpu");
    await tf.ready();
  })();
  return ready;
}

function seedOf(random: Random): number {
  return Math.floor(random() * 2 ** 31);
}

/** The DDF network: input `[B, d1, d2, d3, 2]`, output `[B, d1, d2, d3, 3]` in voxels. */
export function createModel(shape: readonly number[], random: Random): tf.LayersModel {
  const init = () => tf.initializers.heNormal({ seed: seedOf(random) });
  const model = tf.sequential();
  model.add(
    tf.layers.conv3d({
      inputShape: [shape[0] as number, shape[1] as number, shape[2] as number, 2],
      filters: 8,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      kernelInitializer: init(),
    }),
  );
  model.add(
    tf.layers.conv3d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init() }),
  );
  // Starts at DDF = 0 (identity transform), so the first loss is the unregistered one.
  model.add(tf.layers.conv3d({ filters: 3, kernelSize: 3, padding: "same", kernelInitializer: "zeros" }));
  return model;
}

/**
 * Trilinear warp of `volume` `[B, d1, d2, d3, C]` by `ddf` `[B, d1, d2, d3, 3]` (voxels):
 * `out(x) = volume(x + ddf(x))`, edge clamped. Differentiable with respect to `ddf` (through
 * the interpolation weights) and `volume`; the corner indices are computed outside the tape.
 */
export function warpTf(volume: tf.Tensor5D, ddf: tf.Tensor5D): tf.Tensor5D {
  const [b, n0, n1, n2, c] = volume.shape;
  const n = n0 * n1 * n2;
  return tf.tidy(() => {
    const grid = new Float32Array(b * n * 3);
    for (let s = 0, v = 0; s < b; s++)
      for (let i = 0; i < n0; i++)
        for (let j = 0; j < n1; j++)
          for (let k = 0; k < n2; k++, v++) {
            grid[v * 3] = i;
            grid[v * 3 + 1] = j;
            grid[v * 3 + 2] = k;
          }
    const upper = tf.tensor1d([n0 - 1, n1 - 1, n2 - 1]);
    const coords = tf.minimum(tf.maximum(tf.add(tf.tensor(grid, ddf.shape), ddf), 0), upper);
    // Corner indices and floors as constants (no gradient flows through floor).
    const values = coords.dataSync();
    const floors = new Float32Array(values.length);
    const corners = Array.from({ length: 8 }, () => new Int32Array(b * n));
    const dims = [n0, n1, n2];
    for (let v = 0; v < b * n; v++) {
      const lo = [0, 0, 0];
      const hi = [0, 0, 0];
      for (let a = 0; a < 3; a++) {
        const f = Math.floor(values[v * 3 + a] as number);
        floors[v * 3 + a] = f;
        lo[a] = f;
        hi[a] = Math.min(f + 1, (dims[a] as number) - 1);
      }
      const base = Math.floor(v / n) * n;
      for (let corner = 0; corner < 8; corner++) {
        const x = corner & 4 ? hi[0]! : lo[0]!;
        const y = corner & 2 ? hi[1]! : lo[1]!;
        const z = corner & 1 ? hi[2]! : lo[2]!;
        corners[corner]![v] = base + (x * n1 + y) * n2 + z;
      }
    }
    const weights = tf.sub(coords, tf.tensor(floors, coords.shape)).reshape([b * n, 3]);
    const [wx, wy, wz] = tf.split(weights, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const flat = volume.reshape([b * n, c]);
    let out: tf.Tensor | undefined;
    for (let corner = 0; corner < 8; corner++) {
      const w = tf.mul(
        tf.mul(corner & 4 ? wx : tf.sub(1, wx), corner & 2 ? wy : tf.sub(1, wy)),
        corner & 1 ? wz : tf.sub(1, wz),
      );
      const term = tf.mul(tf.gather(flat, tf.tensor1d(corners[corner]!, "int32")), w);
      out = out ? tf.add(out, term) : term;
    }
    return (out as tf.Tensor).reshape([b, n0, n1, n2, c]) as tf.Tensor5D;
  });
}

function dice(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  const axes = [1, 2, 3, 4];
  const inter = tf.sum(tf.mul(a, b), axes);
  const sizes = tf.add(tf.sum(a, axes), tf.sum(b, axes));
  return tf.mean(tf.div(tf.add(tf.mul(inter, 2), 1e-5), tf.add(sizes, 1e-5)));
}

/** Mean squared finite differences of the DDF along the three spatial axes. */
function smoothness(ddf: tf.Tensor5D): tf.Scalar {
  const [, n0, n1, n2] = ddf.shape;
  const d = (axis: number, n: number): tf.Scalar => {
    const begin = [0, 0, 0, 0, 0];
    const size = [-1, -1, -1, -1, -1];
    size[axis] = n - 1;
    const a = tf.slice(ddf, begin, size);
    begin[axis] = 1;
    const b = tf.slice(ddf, begin, size);
    return tf.mean(tf.square(tf.sub(b, a)));
  };
  return tf.addN([d(1, n0), d(2, n1), d(3, n2)]) as tf.Scalar;
}

/** `[B, d1, d2, d3]` -> `[B, d1, d2, d3, 1]`. */
function channel(t: tf.Tensor4D): tf.Tensor5D {
  return tf.expandDims(t, 4) as tf.Tensor5D;
}

/**
 * Trains the DDF network for `steps` steps on the batches (which must hold at least `steps`
 * batches), reporting loss and label Dice after each step. Returns the per-step records.
 */
export async function trainRegistration(dataset: TrainingDataset, options: TrainOptions): Promise<TrainStep[]> {
  const { steps = 30, learningRate = 0.01, random, onStep } = options;
  await initTf();
  const optimizer = tf.train.adam(learningRate);
  const history: TrainStep[] = [];
  let model: tf.LayersModel | undefined;
  let step = 0;
  try {
    // Each iteration of the dataset is the loader's next epoch (reshuffled).
    while (step < steps) {
      const epoch = await dataset.iterator();
      let batches = 0;
      for (let next = await epoch.next(); !next.done; next = await epoch.next()) {
        const batch = next.value;
        if (step >= steps) {
          tf.dispose(batch);
          break;
        }
        batches++;
        step++;
        model ??= createModel(batch.movingImage.shape.slice(1), random);
        const record = trainStep(model, optimizer, batch, step);
        tf.dispose(batch);
        history.push(record);
        onStep?.(record);
      }
      if (batches === 0) break; // an empty epoch: nothing to train on
    }
  } finally {
    model?.dispose();
    optimizer.dispose();
  }
  return history;
}

function trainStep(m: tf.LayersModel, optimizer: tf.Optimizer, batch: BatchTensors, step: number): TrainStep {
  return tf.tidy(() => {
    const moving = channel(batch.movingImage);
    const fixed = channel(batch.fixedImage);
    const movingLabel = batch.movingLabel && channel(batch.movingLabel);
    const fixedLabel = batch.fixedLabel && channel(batch.fixedLabel);
    const input = tf.concat([moving, fixed], 4);
    let diceAfter: number | undefined;
    const loss = optimizer.minimize(() => {
      const ddf = m.apply(input) as tf.Tensor5D;
      const warped = warpTf(moving, ddf);
      let total = tf.add(tf.mean(tf.square(tf.sub(warped, fixed))), tf.mul(smoothness(ddf), 0.1));
      if (movingLabel && fixedLabel) {
        const overlap = dice(warpTf(movingLabel, ddf), fixedLabel);
        diceAfter = overlap.dataSync()[0];
        total = tf.add(total, tf.mul(tf.sub(1, overlap), 0.1));
      }
      return total as tf.Scalar;
    }, true) as tf.Scalar;
    return {
      step,
      loss: loss.dataSync()[0] as number,
      dice: diceAfter,
      diceBefore: movingLabel && fixedLabel ? dice(movingLabel, fixedLabel).dataSync()[0] : undefined,
    };
  });
}
