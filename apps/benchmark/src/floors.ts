// In-process measurements: the floors a loader cannot beat (inflate only, read only) and the
// throughput of the per-volume passes (resize, column-major to row-major reorder).
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { gunzipSync } from "node:zlib";
import { columnMajorToRowMajor, openH5, readNifti, readNiftiHeader, resize } from "deepreg-loader";
import type { Shape3 } from "./generate.js";
import type { Workload } from "./workloads.js";

export interface Timing {
  /** Seconds of each repetition. */
  seconds: number[];
  /** Bytes produced (inflated, or decoded as float32) by one repetition. */
  bytes: number;
  /** Minor page faults of this process (every thread) during each repetition. */
  pageFaults?: number[];
}

/** Minor page faults of this process so far (every thread; on Linux, each first touch of a fresh page is one). */
export function minorPageFaults(): number {
  return process.resourceUsage().minorPageFault;
}

/**
 * Microseconds to page in one fresh 4 KiB page: a fresh 64 MiB buffer (above glibc's largest
 * dynamic mmap threshold, so never re-used memory) touched once per page, median of `reps`.
 */
export function freshPageMicros(reps = 5): number {
  const pages = 16384;
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const bytes = new Uint8Array(pages * 4096);
    const start = performance.now();
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 1;
    times.push(((performance.now() - start) * 1000) / pages);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

/** Runs `run` `reps` times (after `warmup` untimed runs) and times each. */
async function repeat(reps: number, run: () => Promise<number> | number, warmup = 0): Promise<Timing> {
  for (let w = 0; w < warmup; w++) await run();
  const seconds: number[] = [];
  const pageFaults: number[] = [];
  let bytes = 0;
  for (let r = 0; r < reps; r++) {
    const faults = minorPageFaults();
    const start = performance.now();
    bytes = await run();
    seconds.push((performance.now() - start) / 1000);
    pageFaults.push(minorPageFaults() - faults);
  }
  return { seconds, bytes, pageFaults };
}

/** `zlib.gunzipSync` over every `.nii.gz` of the workload, one thread, files already in memory. */
export async function inflateFloor(workload: Workload, reps: number): Promise<Timing> {
  const buffers = await Promise.all(workload.files.map((f) => readFile(f)));
  return repeat(reps, () => {
    let bytes = 0;
    for (const b of buffers) bytes += gunzipSync(b).byteLength;
    return bytes;
  });
}

/** The inflate thread of {@link inflateFloorThreads}: holds its files, inflates them all on "go". */
const INFLATE_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { gunzipSync } = require("node:zlib");
const buffers = workerData.map((b) => Buffer.from(b));
parentPort.on("message", () => {
  let bytes = 0;
  for (const b of buffers) bytes += gunzipSync(b).byteLength;
  parentPort.postMessage(bytes);
});
parentPort.postMessage(0);
`;

/**
 * The two-thread inflate floor: every \`.nii.gz\` of the workload inflated by \`threads\` worker
 * threads at once (files in memory, dealt out in turn, largest first, so the threads get equal
 * shares), from the moment both are told to start until the last one is done. One warm-up run.
 */
export async function inflateFloorThreads(workload: Workload, reps: number, threads = 2): Promise<Timing> {
  const files = await Promise.all(workload.files.map((f) => readFile(f)));
  files.sort((a, b) => b.byteLength - a.byteLength);
  const shares: Uint8Array[][] = Array.from({ length: threads }, () => []);
  files.forEach((b, i) => shares[i % threads]!.push(new Uint8Array(b)));
  const workers = shares.map((share) => new Worker(INFLATE_THREAD, { eval: true, workerData: share }));
  const next = (w: Worker): Promise<number> =>
    new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
  try {
    await Promise.all(workers.map(next));
    const once = async (): Promise<number> => {
      const done = workers.map(next);
      for (const w of workers) w.postMessage("go");
      return (await Promise.all(done)).reduce((a, b) => a + b, 0);
    };
    return await repeat(reps, once, 1);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** `readNifti` of every file (one after the other), or `openH5` + `read` of every key. */
export async function readOnly(workload: Workload, reps: number): Promise<Timing> {
  if (workload.format === "nifti") {
    return repeat(reps, async () => {
      let bytes = 0;
      for (const f of workload.files) bytes += (await readNifti(f)).data.byteLength;
      return bytes;
    });
  }
  return repeat(reps, async () => {
    let bytes = 0;
    for (const f of workload.files) {
      const h5 = await openH5(f);
      try {
        for (const key of h5.keys()) bytes += h5.read(key).data.byteLength;
      } finally {
        h5.close();
      }
    }
    return bytes;
  });
}

/** `resize` (after one warm-up run) of one image of the workload to `shape` (bytes: the input volume's float32 size). */
export async function resizeThroughput(file: string, shape: Shape3, reps: number): Promise<Timing & { from: number[]; to: Shape3 }> {
  const volume = await readNifti(file);
  const timing = await repeat(
    reps,
    () => {
      resize(volume, shape);
      return volume.data.byteLength;
    },
    1,
  );
  return { ...timing, from: [...volume.shape], to: shape };
}

const TYPED: Record<string, (buffer: ArrayBuffer, offset: number, length: number) => ArrayLike<number>> = {
  uint8: (b, o, n) => new Uint8Array(b, o, n),
  int16: (b, o, n) => new Int16Array(b, o, n),
  float32: (b, o, n) => new Float32Array(b, o, n),
  float64: (b, o, n) => new Float64Array(b, o, n),
};

/**
 * `columnMajorToRowMajor` (after one warm-up run) of the raw voxels of one NIfTI file (int16/uint8/float32/float64,
 * little-endian); bytes: the float32 output.
 */
export async function reorderThroughput(file: string, reps: number): Promise<Timing & { dtype: string; shape: number[] }> {
  const header = await readNiftiHeader(file);
  const make = TYPED[header.dtype];
  if (!make || !header.littleEndian) throw new Error(`reorder benchmark: ${file} is ${header.dtype}, not a plain little-endian type`);
  const raw = gunzipSync(await readFile(file));
  const n = header.shape.reduce((a, b) => a * b, 1);
  const copy = new Uint8Array(raw.byteLength - header.voxOffset);
  copy.set(raw.subarray(header.voxOffset));
  const source = make(copy.buffer, 0, n);
  const timing = await repeat(reps, () => columnMajorToRowMajor(source, header.shape).byteLength, 1);
  return { ...timing, dtype: header.dtype, shape: header.shape };
}
