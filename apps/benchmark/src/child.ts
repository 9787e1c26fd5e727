// Loader measurements that run in a child process each (`node dist/main.js --child <json>`),
// so every configuration starts cold and its peak RSS (`process.resourceUsage().maxRSS`)
// belongs to it alone.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createDataLoader } from "deepreg-loader";
import type { DataLoader, DatasetConfig, LoaderStats } from "deepreg-loader";
import { minorPageFaults } from "./floors.js";

export type ChildCase =
  /**
   * `reps` cold epochs, each with a fresh loader (epoch `rep`), `epochs` epochs per loader.
   * `gc`: the child runs with `--expose-gc` and collects garbage after every sample, so its peak
   * RSS is what the loader holds, not what a lazy collector has not yet freed.
   */
  | {
      kind: "epoch";
      dataset: DatasetConfig;
      workers: Workers;
      cacheBytes: number;
      reps: number;
      epochs?: number;
      gc?: boolean;
      /** `all`: every label channel of a pair is a sample (DeepReg's valid/test). Default: the train split's `sample`. */
      labelSampling?: "sample" | "all";
      /** DeepReg's `data_augmentation` value for the loader (`augmentation` option). Default: none. */
      augmentation?: unknown;
      /** Hand every sample back with `loader.recycle(sample)` once counted, as a trainer that copied it into tensors would. */
      recycle?: boolean;
      /** Extra environment of the child process (e.g. `GLIBC_TUNABLES`, read by the C library at start). */
      env?: Record<string, string>;
    }
  /** One loader with a cache: epoch 0 cold, then `reps` warm epochs. */
  | { kind: "warm"; dataset: DatasetConfig; workers: Workers; cacheBytes: number; reps: number }
  /** `reps` fresh loaders: time to the first batch of 1 sample. */
  | {
      kind: "ttfb";
      dataset: DatasetConfig;
      workers: Workers;
      reps: number;
      /** Extra environment of the child process (e.g. `GLIBC_TUNABLES`, read by the C library at start). */
      env?: Record<string, string>;
    };

/** The loader's `workers` option. */
export type Workers = number | "auto";

export interface ChildResult {
  /** Seconds per epoch (epoch: one per rep; warm: the warm epochs), or to the first batch (ttfb). */
  seconds: number[];
  /**
   * CPU seconds (user + system, every thread of the process: main, workers, libuv pool) spent
   * during each entry of `seconds`; `cpuSeconds[i] / seconds[i]` is the number of cores kept busy.
   */
  cpuSeconds: number[];
  /** Minor page faults of the process (every thread) during each entry of `seconds`. */
  pageFaults: number[];
  /** warm: seconds of the cold epoch 0. */
  coldSeconds?: number;
  /** Seconds to create each loader (list and match files, read label headers). */
  openSeconds: number[];
  /** Samples of one epoch. */
  samples: number;
  /** Bytes of float32 volumes of one epoch's samples. */
  bytes: number;
  /** Peak resident set size of the child, bytes. */
  maxRssBytes: number;
  stats: LoaderStats;
  /** The number of workers the loader ran with (`auto` resolved). */
  workers: number;
}

interface EpochRun {
  seconds: number;
  cpuSeconds: number;
  pageFaults: number;
  samples: number;
  bytes: number;
}

async function open(c: ChildCase, cacheBytes: number): Promise<{ loader: DataLoader; seconds: number }> {
  const start = performance.now();
  const labelSampling = c.kind === "epoch" ? c.labelSampling : undefined;
  const augmentation = c.kind === "epoch" && c.augmentation !== undefined ? { augmentation: c.augmentation } : {};
  const loader = await createDataLoader(c.dataset, "train", {
    seed: 1,
    workers: c.workers,
    cacheBytes,
    ...(labelSampling === undefined ? {} : { labelSampling }),
    ...augmentation,
  });
  return { loader, seconds: (performance.now() - start) / 1000 };
}

async function epoch(loader: DataLoader, index: number, gc = false, recycle = false): Promise<EpochRun> {
  let samples = 0;
  let bytes = 0;
  const cpu = process.cpuUsage();
  const faults = minorPageFaults();
  const start = performance.now();
  const collect = (globalThis as { gc?: () => void }).gc;
  for await (const s of loader.samples({ epoch: index })) {
    samples++;
    for (const v of [s.movingImage, s.fixedImage, s.movingLabel, s.fixedLabel]) if (v) bytes += v.data.byteLength;
    if (recycle) loader.recycle(s);
    if (gc) collect?.();
  }
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSecondsSince(cpu), pageFaults: minorPageFaults() - faults, samples, bytes };
}

/**
 * Peak RSS of this process in bytes. On Linux from `VmHWM` in /proc/self/status: the
 * high-water mark of this process's own memory. `process.resourceUsage().maxRSS` is not used
 * there because Linux carries it over from the parent across fork + exec, so every child of a
 * large parent would report at least the parent's size.
 */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** CPU seconds (user + system, all threads) since `start` (a `process.cpuUsage()`). */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

/** Runs one case in this process and returns its result. */
export async function runCase(c: ChildCase): Promise<ChildResult> {
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  const pageFaults: number[] = [];
  const openSeconds: number[] = [];
  let last: EpochRun = { seconds: 0, cpuSeconds: 0, pageFaults: 0, samples: 0, bytes: 0 };
  let coldSeconds: number | undefined;
  let stats: LoaderStats | undefined;
  let workers = 0;
  if (c.kind === "warm") {
    const { loader, seconds: s } = await open(c, c.cacheBytes);
    openSeconds.push(s);
    workers = loader.workers;
    try {
      last = await epoch(loader, 0);
      coldSeconds = last.seconds;
      for (let rep = 1; rep <= c.reps; rep++) {
        const warmRun = await epoch(loader, rep);
        seconds.push(warmRun.seconds);
        cpuSeconds.push(warmRun.cpuSeconds);
        pageFaults.push(warmRun.pageFaults);
      }
      stats = loader.stats();
    } finally {
      await loader.close();
    }
  } else {
    for (let rep = 0; rep < c.reps; rep++) {
      const { loader, seconds: s } = await open(c, c.kind === "epoch" ? c.cacheBytes : 0);
      openSeconds.push(s);
      workers = loader.workers;
      try {
        if (c.kind === "epoch") {
          const epochs = c.epochs ?? 1;
          for (let e = 0; e < epochs; e++) {
            last = await epoch(loader, rep * epochs + e, c.gc === true, c.recycle === true);
            seconds.push(last.seconds);
            cpuSeconds.push(last.cpuSeconds);
            pageFaults.push(last.pageFaults);
          }
        } else {
          const cpu = process.cpuUsage();
          const faults = minorPageFaults();
          const start = performance.now();
          const batches = loader.batches({ batchSize: 1, training: true, epochs: 1 });
          const first = await batches.next();
          seconds.push((performance.now() - start) / 1000);
          cpuSeconds.push(cpuSecondsSince(cpu));
          pageFaults.push(minorPageFaults() - faults);
          await batches.return(undefined);
          if (first.done) throw new Error("the epoch has no batch");
        }
        stats = loader.stats();
      } finally {
        await loader.close();
      }
    }
  }
  return {
    seconds,
    cpuSeconds,
    pageFaults,
    ...(coldSeconds === undefined ? {} : { coldSeconds }),
    openSeconds,
    samples: last.samples,
    bytes: last.bytes,
    maxRssBytes: peakRssBytes(),
    stats: stats!,
    workers,
  };
}

/** Child entry: runs the case given as JSON and prints the result as the last stdout line. */
export async function childMain(json: string): Promise<void> {
  const result = await runCase(JSON.parse(json) as ChildCase);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs `c` in a fresh Node process (this script with `--child`) and returns its result. */
export function spawnCase(script: string, c: ChildCase): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(c.kind === "epoch" && c.gc === true ? ["--expose-gc"] : []), script, "--child", JSON.stringify(c)],
      {
        maxBuffer: 1 << 24,
        // With `gc`, the loader's workers collect after every task too (worker.ts hook).
        env: {
          ...process.env,
          ...(c.kind === "epoch" && c.gc === true ? { DEEPREG_LOADER_WORKER_GC: "1" } : {}),
          ...(c.kind === "epoch" || c.kind === "ttfb" ? c.env : {}),
        },
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`benchmark child (${c.kind}, workers ${c.workers}) failed: ${stderr.trim() || error.message}`));
          return;
        }
        const line = stdout.trim().split("\n").at(-1) ?? "";
        try {
          resolve(JSON.parse(line) as ChildResult);
        } catch {
          reject(new Error(`benchmark child (${c.kind}) printed no result: ${stdout.slice(-500)}`));
        }
      },
    );
  });
}
