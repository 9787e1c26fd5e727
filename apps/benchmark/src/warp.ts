// In-process measurement of the augmentation warp: `warpAffine` of a 128^3 float32 volume on
// one thread, against a plain trilinear `resize` producing the same number of voxels.
import { createVolume, resize, warpAffine } from "deepreg-loader";
import type { Timing } from "./floors.js";

/** The augmented epoch case: DeepReg's `{ name: "affine" }` (scale 0.1), cache off. */
export const AUGMENTED_EPOCH = { kind: "epoch", cacheBytes: 0, augmentation: { name: "affine" } } as const;

/** The warp target of issue 8: Mvoxel/s of `warpAffine` on one thread. */
export const WARP_TARGET_MVOXELS = 60;

export interface WarpThroughput {
  /** `warpAffine` of a `size^3` volume. */
  affine: Timing;
  /**
   * The same into a re-used output array (`{ out }`, as the loader's workers warp): the kernel
   * without the page faults of a fresh 8 MiB output (docs/decisions.md).
   */
  affineReused: Timing;
  /**
   * CPU seconds (user + system, this process) of each `affine` and `affineReused` repetition:
   * a measure less sensitive to other jobs on the machine than wall time (page faults count).
   */
  cpu: { affine: number[]; affineReused: number[] };
  /** `resize` of `(size - 1)^3` to `size^3` (every axis interpolated). */
  resize: Timing;
  /** Output voxels of one repetition (`size^3`, both rows). */
  voxels: number;
  size: number;
}

/** The functions timed (`deepreg-loader`'s by default; augment-ab.ts passes another build's). */
export interface WarpOps {
  warpAffine: typeof warpAffine;
  resize: typeof resize;
}

function times(reps: number, run: () => void, cpu: number[] = []): number[] {
  run(); // warm-up (and JIT)
  const seconds: number[] = [];
  for (let r = 0; r < reps; r++) {
    const used = process.cpuUsage();
    const start = performance.now();
    run();
    seconds.push((performance.now() - start) / 1000);
    const { user, system } = process.cpuUsage(used);
    cpu.push((user + system) / 1e6);
  }
  return seconds;
}

/**
 * Times `warpAffine(volume, theta)` with a typical DeepReg theta (scale 0.1 noise) and
 * `resize` of `(size - 1)^3 -> size^3`, `reps` times each after a warm-up, alternating so load
 * from other jobs falls on both alike. Bytes: the float32 output. `ops`: the functions timed.
 */
export function warpThroughput(reps: number, size = 128, ops: WarpOps = { warpAffine, resize }): WarpThroughput {
  const voxels = size ** 3;
  const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);
  const volume = createVolume(ramp(voxels), [size, size, size]);
  const small = createVolume(ramp((size - 1) ** 3), [size - 1, size - 1, size - 1]);
  // affineFromNoise of noise in [0.9, 1]: a mild scaling/shear with a translation of a voxel or so.
  const theta = [0.95, 0.02, -0.015, 0.025, 0.97, 0.018, -0.02, 0.012, 0.93, 1.4, -1.1, 2.3];
  const affine: number[] = [];
  const reused: number[] = [];
  const cpu = { affine: [] as number[], affineReused: [] as number[] };
  const resized: number[] = [];
  const out = new Float32Array(voxels);
  for (let r = 0; r < reps; r++) {
    affine.push(...times(1, () => ops.warpAffine(volume, theta), cpu.affine));
    reused.push(...times(1, () => ops.warpAffine(volume, theta, { out }), cpu.affineReused));
    resized.push(...times(1, () => ops.resize(small, [size, size, size])));
  }
  const bytes = voxels * 4;
  return { affine: { seconds: affine, bytes }, affineReused: { seconds: reused, bytes }, cpu, resize: { seconds: resized, bytes }, voxels, size };
}
