// dataset/read-volumes.ts: the reading half of the scan: every header (shape), and with
// `decode` every volume's value range, on the main thread or in the loader's worker pool.
// Read failures become observed problems. May import core, io-nifti, io-h5, volume-ops,
// pipeline/ (worker pool, ordered map) and dataset/.
import { open } from "node:fs/promises";
import { DTYPE_BYTES } from "@deepreg-loader/core";
import { openH5 } from "@deepreg-loader/io-h5";
import type { H5File } from "@deepreg-loader/io-h5";
import { isGzip, readNifti, readNiftiHeader } from "@deepreg-loader/io-nifti";
import type { NiftiHeader } from "@deepreg-loader/io-nifti";
import { valueRange } from "@deepreg-loader/volume-ops";
import { orderedMap } from "../pipeline/ordered-map.js";
import { describeSource } from "../pipeline/prepare-volume.js";
import type { PreparedVolume, VolumeTask } from "../pipeline/prepare-volume.js";
import { WorkerPool } from "../pipeline/worker-pool.js";
import { WORKER_URL } from "../pipeline/worker-url.js";
import { problem, problemFromError } from "./problem.js";
import type { Problem } from "./problem.js";
import type { DatasetScan, ScanOptions, ScannedTop, ScannedVolume } from "./scan.js";

/** Concurrent reads on the main thread (NIfTI inflates on the libuv pool). */
const MAIN_THREAD_CONCURRENCY = 4;

interface Job {
  top: ScannedTop;
  volume: ScannedVolume;
}

/** Reads the headers (and with `decode` the value ranges) of every volume of `scan`, in place. */
export async function readVolumes(scan: DatasetScan, options: ScanOptions): Promise<void> {
  const jobs: Job[] = scan.dirs.flatMap((d) => d.tops.flatMap((top) => top.volumes.map((volume) => ({ top, volume }))));
  const total = jobs.length;
  let done = 0;
  const progress = (v: ScannedVolume): void => {
    done += 1;
    options.onProgress?.(v.key === undefined ? { done, total, file: v.file } : { done, total, file: v.file, key: v.key });
  };
  const workers = options.workers ?? 0;
  const pool = scan.decoded && workers > 0 ? newMeasurePool(workers) : null;
  const h5Files = new Map<string, Promise<H5File>>();
  const h5 = (path: string): Promise<H5File> => {
    let file = h5Files.get(path);
    if (file === undefined) {
      file = openH5(path, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
      h5Files.set(path, file);
      scan.filesChecked += 1;
    }
    return file;
  };
  const concurrency = pool === null ? MAIN_THREAD_CONCURRENCY : 2 * workers;
  try {
    // Shapes and ranges are written into the scan; problems and progress come in listing order
    // (orderedMap's order), so the first error is the same whatever the timing.
    const unopened = new Set<string>();
    for await (const { volume, problems } of orderedMap(
      jobs,
      async ({ top, volume }) => ({ volume, problems: await readOne(scan, top, volume, { pool, h5, maxBytes: options.maxBytes }) }),
      { concurrency },
    )) {
      for (const p of problems) {
        if (p.rule === OPEN_FAILED) {
          if (unopened.has(volume.file)) continue;
          unopened.add(volume.file);
          scan.observed.push({ ...p, rule: "scan" });
        } else {
          scan.observed.push(p);
        }
      }
      progress(volume);
    }
  } finally {
    await pool?.close();
    for (const file of h5Files.values()) await file.then((f) => f.close()).catch(() => undefined);
  }
}

interface ReadContext {
  pool: WorkerPool<VolumeTask, PreparedVolume> | null;
  h5: (path: string) => Promise<H5File>;
  maxBytes: number | undefined;
}

/** Marks the problem of an H5 file that does not open (every key reports it; kept once). */
const OPEN_FAILED = "scan:open";

/** Reads one volume's header (and range) into `volume`; its problems, none when it reads. */
async function readOne(scan: DatasetScan, top: ScannedTop, volume: ScannedVolume, ctx: ReadContext): Promise<Problem[]> {
  const { file, key } = volume;
  let h5: H5File | undefined;
  if (key !== undefined) {
    try {
      h5 = await ctx.h5(file);
    } catch (error) {
      return [problemFromError(error, file, undefined, OPEN_FAILED)];
    }
  } else {
    scan.filesChecked += 1;
  }
  scan.volumesChecked += 1;
  let header: NiftiHeader | undefined;
  try {
    if (h5 !== undefined) {
      volume.shape = h5.shape(key as string);
    } else {
      header = await readNiftiHeader(file);
      volume.shape = [...header.shape];
    }
  } catch (error) {
    return [problemFromError(error, file, key)];
  }
  try {
    if (header !== undefined) {
      const truncated = await checkNiftiSize(file, header);
      if (truncated !== undefined) return [truncated];
    }
    if (!scan.decoded) return [];
    if (volume.shape.some((d) => d === 0)) return [];
    if (ctx.pool !== null) {
      const task: VolumeTask = { kind: top.kind, format: scan.format ?? "nifti", path: file, shape: [1, 1, 1], measure: true };
      if (key !== undefined) task.key = key;
      if (ctx.maxBytes !== undefined) task.maxBytes = ctx.maxBytes;
      const measured = await ctx.pool.run(task);
      volume.range = measured.range as { min: number; max: number };
    } else {
      volume.range = valueRange(h5 !== undefined ? h5.read(key as string) : await readNifti(file, ctx.maxBytes === undefined ? {} : { maxBytes: ctx.maxBytes }));
    }
    if (top.kind === "image") scan.imagesRead += 1;
    else scan.labelsRead += 1;
    return [];
  } catch (error) {
    return [problemFromError(error, file, key)];
  }
}

/**
 * An uncompressed NIfTI file must hold the voxels its header declares (a cheap truncation check
 * without decoding): the `TRUNCATED` problem when it does not.
 */
async function checkNiftiSize(file: string, header: NiftiHeader): Promise<Problem | undefined> {
  const handle = await open(file, "r");
  try {
    const magic = new Uint8Array(2);
    await handle.read(magic, 0, 2, 0);
    if (isGzip(magic)) return undefined;
    const size = (await handle.stat()).size;
    const voxels = header.shape.reduce((n, d) => n * d, 1);
    const expected = header.voxOffset + voxels * DTYPE_BYTES[header.dtype];
    if (size >= expected) return undefined;
    return problem(
        "scan",
        "TRUNCATED",
        file,
        undefined,
        `the file has ${size} bytes, but its header declares ${expected} (${voxels} ${header.dtype} voxels from byte ${header.voxOffset}); the file is truncated`,
    );
  } finally {
    await handle.close();
  }
}

function newMeasurePool(size: number): WorkerPool<VolumeTask, PreparedVolume> {
  return new WorkerPool<VolumeTask, PreparedVolume>(WORKER_URL, {
    size,
    describe: (task) => ({ label: describeSource(task), file: task.path }),
  });
}
