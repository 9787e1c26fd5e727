// `pnpm bench`: measures the loader against its floors on the DeepReg test data and a large
// synthetic set, checks the performance targets, prints a table and writes bench-results.json.
import { writeFile } from "node:fs/promises";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ChildCase, ChildResult } from "./child.js";
import { childMain, spawnCase } from "./child.js";
import { freshPageMicros, inflateFloor, inflateFloorThreads, readOnly, reorderThroughput, resizeThroughput } from "./floors.js";
import type { Timing } from "./floors.js";
import { ensureLargeSet } from "./generate.js";
import { AUGMENTED_EPOCH, WARP_TARGET_MVOXELS, warpThroughput } from "./warp.js";
import type { Shape3 } from "./generate.js";
import { numpyPipeline } from "./python.js";
import { formatBytes, formatCount, formatSeconds, median, megabytesPerSecond, ratio, target } from "./stats.js";
import type { Target } from "./stats.js";
import { deepregWorkloads, largeWorkloads, locateDeepReg } from "./workloads.js";
import type { Workload } from "./workloads.js";

const USAGE = `Usage: pnpm bench [-- --pairs N] [--shape AxBxC] [--reps N] [--quick] [--no-deepreg] [--only cold-nifti] [--h5-ab] [--out FILE]

  --pairs N       pairs of the large synthetic set (default 16)
  --shape AxBxC   image shape of the large set (default 192x192x160)
  --reps N        repetitions per measurement, the median is reported (default 3)
  --quick         smoke run: 4 pairs of 64x64x48, 1 repetition
  --no-deepreg    skip the DeepReg test data even when present
  --only cold-nifti  only the large NIfTI set's inflate floors and cold epochs (workers 0 and 2, recycling,
                  GLIBC_TUNABLES) and the targets they give (~2 min idle)
  --only ttfb     only what the first-batch and linear-cost targets need, on the large NIfTI set: cold
                  epochs w0 (one sample) and w2 at 1x and 3x the data, time to first batch at workers 0, 2
                  and auto (~1 min idle)
  --out FILE      where to write the JSON results (default bench-results.json at the repo root)
  --h5-ab         only the large H5 vs large NIfTI cold epochs at workers 0 and 2, H5 read natively
                  and through h5wasm (DEEPREG_LOADER_H5_NATIVE=0), alternated --reps times; prints
                  medians and ratios, writes nothing`;

const SCRIPT = fileURLToPath(import.meta.url);
/** The repository root (this file is apps/benchmark/dist/main.js once built). */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const USER_CWD = process.env.INIT_CWD ?? process.cwd();

/** `path` relative to where the user ran the command, unless that climbs out of it. */
function shown(path: string): string {
  const rel = relative(USER_CWD, path);
  return rel === "" || rel.startsWith("..") ? path : rel;
}

/** One line of the results table. */
interface Row {
  measure: string;
  workload: string;
  /** Repetitions the median is taken over. */
  n: number;
  /** Median seconds. */
  seconds: number;
  /** Throughput in MB/s of output, when it applies. */
  mbPerSecond?: number;
  /** Samples per second, when it applies. */
  samplesPerSecond?: number;
  /** Peak RSS of the child process, bytes. */
  peakRss?: number;
  /** Median minor page faults (every thread of the process) per repetition. */
  pageFaults?: number;
  note?: string;
}

interface Options {
  pairs: number;
  shape: Shape3;
  reps: number;
  quick: boolean;
  deepreg: boolean;
  /** `cold-nifti`: only the large NIfTI set's floors and cold epochs; `ttfb`: only the first-batch and linear-cost rows. */
  only: "cold-nifti" | "ttfb" | undefined;
  out: string;
  h5ab: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      pairs: { type: "string" },
      shape: { type: "string" },
      reps: { type: "string" },
      quick: { type: "boolean", default: false },
      "no-deepreg": { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string" },
      "h5-ab": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const quick = values.quick ?? false;
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, found ${JSON.stringify(text)}`);
    return n;
  };
  const shapeText = values.shape ?? (quick ? "64x64x48" : "192x192x160");
  const shape = shapeText.split("x").map(Number);
  if (shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d < 2)) {
    throw new Error(`--shape must look like 192x192x160, found ${JSON.stringify(shapeText)}`);
  }
  if (values.only !== undefined && values.only !== "cold-nifti" && values.only !== "ttfb") {
    throw new Error(`--only must be cold-nifti or ttfb, found ${JSON.stringify(values.only)}`);
  }
  return {
    only: values.only as Options["only"],
    pairs: int("pairs", values.pairs, quick ? 4 : 16, 2),
    shape: shape as Shape3,
    reps: int("reps", values.reps, quick ? 1 : 3, 1),
    quick,
    deepreg: !(values["no-deepreg"] ?? false) && values.only === undefined,
    out: resolve(USER_CWD, values.out ?? join(REPO_ROOT, "bench-results.json")),
    h5ab: values["h5-ab"] ?? false,
  };
}

const COLUMNS = [
  ["measure", 42],
  ["workload", 15],
  ["n", 3],
  ["median", 10],
  ["MB/s", 8],
  ["samples/s", 10],
  ["peak RSS", 11],
  ["faults", 7],
] as const;

function cells(values: string[]): string {
  return values.map((v, i) => (i < 2 ? v.padEnd(COLUMNS[i]![1]) : v.padStart(COLUMNS[i]![1]))).join("  ");
}

function printRow(row: Row): void {
  const line = cells([
    row.measure,
    row.workload,
    String(row.n),
    formatSeconds(row.seconds),
    row.mbPerSecond === undefined ? "" : row.mbPerSecond.toFixed(0),
    row.samplesPerSecond === undefined ? "" : row.samplesPerSecond.toFixed(1),
    row.peakRss === undefined ? "" : formatBytes(row.peakRss),
    row.pageFaults === undefined ? "" : formatCount(row.pageFaults),
  ]);
  console.log(row.note ? `${line}  ${row.note}` : line);
}

function timingRow(measure: string, workload: string, t: Timing, note?: string): Row {
  const seconds = median(t.seconds);
  return {
    measure,
    workload,
    n: t.seconds.length,
    seconds,
    mbPerSecond: megabytesPerSecond(t.bytes, seconds),
    ...(t.pageFaults ? { pageFaults: median(t.pageFaults) } : {}),
    ...(note ? { note } : {}),
  };
}

function epochRow(measure: string, workload: string, r: ChildResult, seconds = r.seconds, note?: string): Row {
  const s = median(seconds);
  return {
    measure,
    workload,
    n: seconds.length,
    seconds: s,
    mbPerSecond: megabytesPerSecond(r.bytes, s),
    samplesPerSecond: ratio(r.samples, s),
    peakRss: r.maxRssBytes,
    ...(seconds === r.seconds ? { pageFaults: median(r.pageFaults) } : {}),
    ...(note ? { note } : {}),
  };
}

/** Cores kept busy during the epochs of `r`: median CPU seconds (all threads) / median seconds. */
function cores(r: ChildResult): string {
  return ratio(median(r.cpuSeconds), median(r.seconds)).toFixed(2);
}

/** Describes a result by its median epoch, its page faults with their page-in time at `pageMicros` per fault, and the cores it kept busy. */
function faultsAt(pageMicros: number): (label: string, r: ChildResult) => string {
  return (label, r) => {
    const f = median(r.pageFaults);
    return `${label} ${formatSeconds(median(r.seconds))}: ${formatCount(f)} faults = ${formatSeconds((f * pageMicros) / 1e6)} page-in, ${cores(r)} cores`;
  };
}

function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    os: `${platform()} ${release()}`,
    cpuModel: list[0]?.model ?? "unknown",
    cpuCount: list.length,
    totalMemoryBytes: totalmem(),
    node: process.version,
    loadAverage: loadavg(),
  };
}

function totalInflated(rows: Row[], workload: string): number | undefined {
  const floor = rows.find((r) => r.workload === workload && r.measure.startsWith("inflate only"));
  return floor ? (floor.mbPerSecond! * 1e6 * floor.seconds) : undefined;
}

async function run(options: Options): Promise<void> {
  const started = performance.now();
  const rows: Row[] = [];
  const children: Record<string, ChildResult> = {};
  const add = (row: Row): Row => {
    rows.push(row);
    printRow(row);
    return row;
  };
  const child = async (name: string, c: ChildCase): Promise<ChildResult> => {
    const result = await spawnCase(SCRIPT, c);
    children[name] = result;
    return result;
  };

  const info = machine();
  console.log(
    `deepreg-loader benchmark: ${info.cpuCount} x ${info.cpuModel}, ${formatBytes(info.totalMemoryBytes as number)}, node ${info.node}, load ${(info.loadAverage as number[]).map((l) => l.toFixed(1)).join(" ")}`,
  );
  const cacheDir = join(REPO_ROOT, ".cache", "bench-data");
  const genStart = performance.now();
  const set = await ensureLargeSet(cacheDir, { pairs: options.pairs, shape: options.shape }, (m) => console.log(m));
  console.log(
    `large set: ${set.pairs} pairs of ${set.shape.join("x")} int16 images + 3-channel uint8 labels (.nii.gz and gzip H5), ` +
      `${set.reused ? "reused" : `generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s`}: ${shown(set.root)}`,
  );
  const deepregRoot = options.deepreg ? locateDeepReg(REPO_ROOT) : undefined;
  console.log(deepregRoot ? `DeepReg data: ${deepregRoot}` : "DeepReg data: not found (set DEEPREG_DATA), its rows are skipped");
  const large = await largeWorkloads(set);
  const deepreg = deepregRoot ? await deepregWorkloads(deepregRoot) : undefined;
  const R = options.reps;
  console.log(`every row is the median of n repetitions; epochs stream loader.samples() at the native shapes (resize is the identity)\n`);
  console.log(cells(COLUMNS.map(([name]) => name)));
  console.log("-".repeat(COLUMNS.reduce((a, [, w]) => a + w + 2, 0)));

  // What one page fault costs here: most misses below are explained by the faults counted per row
  // (a fresh 4 KiB page is paged in on first touch; re-used memory is not).
  const pageMicros = freshPageMicros();
  add({ measure: "first touch of fresh memory, 64 MiB", workload: "synthetic", n: 5, seconds: (pageMicros * 16384) / 1e6, pageFaults: 16384, note: `${pageMicros.toFixed(1)} us per 4 KiB page` });
  const faults = faultsAt(pageMicros);

  if (options.only === "ttfb") {
    await runTtfb(options, large, { rows, children, info, add, child, faults });
    return;
  }

  // Floors and cold epochs at 0, 1, 2 and "auto" workers.
  const cold: Record<string, Record<string, ChildResult>> = {};
  const floor2: Record<string, Row> = {};
  const workloads: Workload[] = options.only === "cold-nifti" ? [large.nifti] : [...(deepreg ? [deepreg.nifti, deepreg.h5] : []), large.nifti, large.h5];
  const memory: Record<string, ChildResult> = {};
  for (const w of workloads) {
    if (w.format === "nifti") add(timingRow("inflate only (gunzipSync, 1 thread)", w.name, await inflateFloor(w, R)));
    if (w === large.nifti) floor2[w.name] = add(timingRow("inflate only (gunzipSync, 2 threads)", w.name, await inflateFloorThreads(w, R)));
    if (options.only === undefined) add(timingRow(w.format === "nifti" ? "read only (readNifti)" : "read only (openH5 + read)", w.name, await readOnly(w, R)));
    cold[w.name] = {};
    for (const workers of options.only === undefined ? ([0, 1, 2, "auto"] as const) : ([0, 2] as const)) {
      const r = await child(`${w.name}-cold-w${workers}`, { kind: "epoch", dataset: w.dataset, workers, cacheBytes: 0, reps: R });
      cold[w.name]![workers] = r;
      const label = workers === "auto" ? `auto (${r.workers})` : String(workers);
      add(epochRow(`cold epoch, workers ${label}`, w.name, r, r.seconds, `open ${formatSeconds(median(r.openSeconds))}, ${cores(r)} cores`));
    }
    if (w !== large.nifti) continue;
    // Memory re-use (issue 11): the same cold epochs with a consumer that hands every sample back
    // (loader.recycle, as a trainer that copied it into tensors would), and with glibc keeping freed
    // memory (a process-wide deployment knob, set before start).
    for (const [key, measure, extra] of MEMORY_ROWS) {
      const r = await child(`${w.name}-cold-${key}`, { kind: "epoch", dataset: w.dataset, cacheBytes: 0, reps: R, ...extra });
      memory[key] = r;
      add(epochRow(measure, w.name, r, r.seconds, `${r.stats.reusedArrays} of ${r.stats.decodes} volumes into recycled arrays (last rep), ${cores(r)} cores`));
    }
  }
  if (options.only === "cold-nifti") {
    const floor = floor2[large.nifti.name]!.seconds;
    const c = cold[large.nifti.name]!;
    const targets = [
      target("workers 2 >= 1.6x faster than workers 0", `cold epoch w0 / w2 (${large.nifti.name})`, ratio(median(c[0]!.seconds), median(c[2]!.seconds)), ">=", 1.6, `${faults("w0", c[0]!)}; ${faults("w2", c[2]!)}`),
      target("cold epoch w2 within 1.3x of the 2-thread inflate floor", `cold epoch w2 / inflate only, 2 threads (${large.nifti.name})`, ratio(median(c[2]!.seconds), floor), "<=", 1.3, faults("w2", c[2]!)),
      ...memoryTargets(memory, floor, large.nifti.name, faults),
    ];
    printTargets(targets, options);
    await writeFile(options.out, `${JSON.stringify({ date: new Date().toISOString(), machine: info, options: { ...options, out: undefined }, rows, targets, children }, null, 2)}\n`);
    console.log(`\nwrote ${shown(options.out)}`);
    return;
  }

  // DeepReg's paired data at its config shapes, every label (valid), at auto, vs numpy/nibabel.
  let numpy: { python: number; loader: ChildResult } | undefined;
  if (deepreg) {
    const moving: Shape3 = [64, 64, 60];
    const fixed: Shape3 = [44, 59, 41];
    const dataset = { ...deepreg.nifti.dataset, moving_image_shape: moving, fixed_image_shape: fixed };
    const loader = await child("deepreg-valid-auto", { kind: "epoch", dataset, workers: "auto", cacheBytes: 0, reps: R, labelSampling: "all" });
    add(epochRow(`cold epoch, all labels, workers auto (${loader.workers})`, deepreg.nifti.name, loader, loader.seconds, "resized to 64x64x60 / 44x59x41"));
    const py = await numpyPipeline(deepreg.nifti, moving, fixed, R);
    if (py.ok) {
      if (py.samples !== loader.samples) throw new Error(`numpy pipeline gave ${py.samples} samples, the loader ${loader.samples}`);
      add({ measure: "numpy/nibabel pipeline, all labels", workload: deepreg.nifti.name, n: py.seconds.length, seconds: median(py.seconds), samplesPerSecond: ratio(py.samples, median(py.seconds)), note: "python/numpy_pipeline.py" });
      numpy = { python: median(py.seconds), loader };
    } else {
      console.log(`numpy/nibabel pipeline skipped: ${py.reason}`);
    }
  }

  // Augmented cold epochs (DeepReg's affine, warps in the workers): scaling and cost (issue 8).
  const augmented: Record<number, ChildResult> = {};
  for (const workers of [0, 2]) {
    const r = await child(`${large.nifti.name}-affine-w${workers}`, { ...AUGMENTED_EPOCH, dataset: large.nifti.dataset, workers, reps: R });
    augmented[workers] = r;
    add(epochRow(`cold epoch + affine, workers ${workers}`, large.nifti.name, r, r.seconds, `${cores(r)} cores`));
  }

  // Warm (cached) epoch: the DeepReg set fits a cache; the large one only with --quick-sized data.
  const warmWorkload = deepreg?.nifti ?? large.nifti;
  const inflated = totalInflated(rows, warmWorkload.name) ?? 2 ** 30;
  const warmBudget = Math.ceil(inflated * 4 * 1.25);
  const warm = await child("warm", { kind: "warm", dataset: warmWorkload.dataset, workers: 0, cacheBytes: warmBudget, reps: R });
  add(epochRow("cold epoch 0 (cache on)", warmWorkload.name, warm, [warm.coldSeconds!]));
  add(
    epochRow("warm epoch (cache on)", warmWorkload.name, warm, warm.seconds, `cache ${formatBytes(warm.stats.cacheBytes)}, ${warm.stats.cacheEvictions} evictions`),
  );

  // Peak RSS: cache off at 1x and 3x the data; cache on under a budget. Garbage is collected after
  // every sample (and every worker task), so the peak is what the loader holds: with lazy
  // collection, each isolate's unreferenced buffers plateau only after tens of MiB, which a
  // small set (--quick) never reaches at 1x (docs/decisions-apps.md).
  const off1x = await child("rss-1x", { kind: "epoch", dataset: large.nifti.dataset, workers: 2, cacheBytes: 0, reps: 1, gc: true });
  add(epochRow("1 epoch, workers 2 (1x data)", large.nifti.name, off1x));
  const off3x = await child("rss-3x", { kind: "epoch", dataset: large.nifti3x.dataset, workers: 2, cacheBytes: 0, reps: 1, gc: true });
  add(epochRow("1 epoch, workers 2 (3x data)", large.nifti3x.name, off3x));
  // Time of 3x the data, without the per-sample collection of the RSS runs (1x: the cold w2 epoch).
  const linear = await linearCost(large, R, add, child);
  const budget = Math.min(512 * 2 ** 20, Math.max(16 * 2 ** 20, Math.floor(off1x.bytes / 4)));
  const on = await child("rss-cache-on", {
    kind: "epoch",
    dataset: large.nifti.dataset,
    workers: 2,
    cacheBytes: budget,
    reps: 1,
    epochs: 2,
    gc: true,
  });
  add(epochRow(`2 epochs, workers 2, cache ${formatBytes(budget)}`, large.nifti.name, on, on.seconds, `cache holds ${formatBytes(on.stats.cacheBytes)}`));
  // The same run with a 1-byte budget: the loader reads as it does with a cache (a cache may
  // change what is read, e.g. whole labels rather than one channel) but keeps nothing, so the
  // difference is the cache's own memory.
  const kept = await child("rss-cache-1b", {
    kind: "epoch",
    dataset: large.nifti.dataset,
    workers: 2,
    cacheBytes: 1,
    reps: 1,
    epochs: 2,
    gc: true,
  });
  add(epochRow("2 epochs, workers 2, cache 1 byte", large.nifti.name, kept, kept.seconds, `cache holds ${formatBytes(kept.stats.cacheBytes)}`));

  // Time to first batch vs one sample.
  const oneSample = ratio(median(cold[large.nifti.name]![0]!.seconds), cold[large.nifti.name]![0]!.samples);
  const oneSampleFaults = ratio(median(cold[large.nifti.name]![0]!.pageFaults), cold[large.nifti.name]![0]!.samples);
  add({ measure: "one sample (cold epoch w0 / samples)", workload: large.nifti.name, n: R, seconds: oneSample, pageFaults: oneSampleFaults });
  const ttfb: Record<string, ChildResult> = {};
  for (const workers of [0, 2, "auto"] as const) {
    const r = await child(`ttfb-w${workers}`, { kind: "ttfb", dataset: large.nifti.dataset, workers, reps: R });
    ttfb[workers] = r;
    add(epochRow(`time to first batch (1), workers ${workers === "auto" ? `auto (${r.workers})` : workers}`, large.nifti.name, r));
  }
  const hugetlb = await hugetlbRows(large.nifti, R, add, child);

  // Per-volume passes.
  const image = large.nifti.files[0]!;
  const to = large.nifti.movingShape.map((d) => Math.max(1, Math.round(d * 0.75))) as Shape3;
  const rz = await resizeThroughput(image, to, Math.max(3, R));
  add(timingRow(`resize ${rz.from.join("x")} -> ${to.join("x")}`, large.nifti.name, rz, "MB/s of float32 input"));
  const ro = await reorderThroughput(image, Math.max(3, R));
  add(timingRow(`reorder F->C ${ro.dtype} ${ro.shape.join("x")}`, large.nifti.name, ro, "MB/s of float32 output"));
  const wp = warpThroughput(Math.max(5, R));
  const warpMvoxels = ratio(wp.voxels, median(wp.affine.seconds)) / 1e6;
  const warpVsResize = ratio(median(wp.affine.seconds), median(wp.resize.seconds));
  add(timingRow(`warpAffine ${wp.size}^3 float32, 1 thread`, "synthetic", wp.affine, `${warpMvoxels.toFixed(0)} Mvoxel/s, ${warpVsResize.toFixed(2)}x the resize below`));
  add(timingRow(`warpAffine ${wp.size}^3 into a re-used array`, "synthetic", wp.affineReused, `${(ratio(wp.voxels, median(wp.affineReused.seconds)) / 1e6).toFixed(0)} Mvoxel/s (no fresh output to page in)`));
  add(timingRow(`resize ${wp.size - 1}^3 -> ${wp.size}^3 float32`, "synthetic", wp.resize, `${(ratio(wp.voxels, median(wp.resize.seconds)) / 1e6).toFixed(0)} Mvoxel/s of output`));

  // Targets, each a ratio measured in this run.
  const floorWorkload = deepreg?.nifti ?? large.nifti;
  const floorRow = rows.find((r) => r.workload === floorWorkload.name && r.measure.startsWith("inflate only"))!;
  const targets: Target[] = [
    target(
      "cold epoch w0 within 1.6x of the inflate floor",
      `cold epoch w0 / inflate only (${floorWorkload.name})`,
      ratio(median(cold[floorWorkload.name]![0]!.seconds), floorRow.seconds),
      "<=",
      1.6,
    ),
    target(
      "workers 2 >= 1.6x faster than workers 0",
      `cold epoch w0 / w2 (${large.nifti.name})`,
      ratio(median(cold[large.nifti.name]![0]!.seconds), median(cold[large.nifti.name]![2]!.seconds)),
      ">=",
      1.6,
      `${faults("w0", cold[large.nifti.name]![0]!)}; ${faults("w2", cold[large.nifti.name]![2]!)}`,
    ),
    target(
      "warm epoch >= 10x faster than cold",
      `cold epoch 0 / warm epoch (${warmWorkload.name})`,
      ratio(warm.coldSeconds!, median(warm.seconds)),
      ">=",
      10,
    ),
    target(
      "peak RSS, cache off, independent of data size",
      `peak RSS 3x data / 1x data, w2 (${large.nifti.name})`,
      ratio(off3x.maxRssBytes, off1x.maxRssBytes),
      "<=",
      1.1,
      `peak RSS 1x ${formatBytes(off1x.maxRssBytes)}, 3x ${formatBytes(off3x.maxRssBytes)} (one child each, a collection after every sample)`,
    ),
    target(
      "peak RSS, cache on, bounded by the budget",
      `(RSS cache B - RSS cache 1 byte) / budget B = ${formatBytes(budget)}`,
      (on.maxRssBytes - kept.maxRssBytes) / budget,
      "<=",
      1.1,
    ),
    target(
      "affine epoch: workers 2 >= 1.7x faster than 0",
      `cold epoch + affine w0 / w2 (${large.nifti.name})`,
      ratio(median(augmented[0]!.seconds), median(augmented[2]!.seconds)),
      ">=",
      1.7,
      `${faults("w0", augmented[0]!)}; ${faults("w2", augmented[2]!)}`,
    ),
    target(
      "affine epoch <= 2x the plain epoch, workers 2",
      `cold epoch + affine w2 / cold epoch w2 (${large.nifti.name})`,
      ratio(median(augmented[2]!.seconds), median(cold[large.nifti.name]![2]!.seconds)),
      "<=",
      2,
      `${faults("affine", augmented[2]!)}; ${faults("plain", cold[large.nifti.name]![2]!)}`,
    ),
    target(
      `warpAffine >= ${WARP_TARGET_MVOXELS} Mvoxel/s, 1 thread`,
      `warpAffine ${wp.size}^3 Mvoxel/s (${warpVsResize.toFixed(2)}x resize time)`,
      warpMvoxels,
      ">=",
      WARP_TARGET_MVOXELS,
      `into a re-used output ${(ratio(wp.voxels, median(wp.affineReused.seconds)) / 1e6).toFixed(0)} Mvoxel/s; a fresh ${formatBytes(wp.voxels * 4)} output pages in ${formatSeconds((wp.voxels * 4 * pageMicros) / 4096 / 1e6)}`,
    ),
  ];
  const w2 = (name: string): number => median(cold[name]![2]!.seconds);
  const floor2Row = floor2[large.nifti.name]!;
  targets.push(
    target(
      "cold epoch w2 within 1.3x of the 2-thread inflate floor",
      `cold epoch w2 / inflate only, 2 threads (${large.nifti.name})`,
      ratio(w2(large.nifti.name), floor2Row.seconds),
      "<=",
      1.3,
      `${faults("epoch", cold[large.nifti.name]![2]!)}; the floor ${formatCount(floor2Row.pageFaults ?? Number.NaN)} faults`,
    ),
  );
  for (const w of workloads) {
    const c = cold[w.name]!;
    const best = Math.min(median(c[0]!.seconds), median(c[2]!.seconds));
    targets.push(
      target(
        `workers auto as fast as 0 and 2 (${w.name})`,
        `cold epoch auto (${c.auto!.workers}) / min(w0, w2), 10% noise`,
        ratio(median(c.auto!.seconds), best),
        "<=",
        1.1,
        `${faults("auto", c.auto!)}; ${faults("w0", c[0]!)}; ${faults("w2", c[2]!)}`,
      ),
    );
  }
  targets.push(
    target(
      "H5 within 1.15x of NIfTI, workers 2",
      `cold epoch w2 ${large.h5.name} / ${large.nifti.name}`,
      ratio(w2(large.h5.name), w2(large.nifti.name)),
      "<=",
      1.15,
      `${faults("H5", cold[large.h5.name]![2]!)}; ${faults("NIfTI", cold[large.nifti.name]![2]!)}`,
    ),
  );
  if (numpy) {
    targets.push(
      target(
        ">= 6x the numpy/nibabel pipeline",
        `numpy epoch / loader epoch auto, all labels (${deepreg!.nifti.name})`,
        ratio(numpy.python, median(numpy.loader.seconds)),
        ">=",
        6,
      ),
    );
  }
  targets.push(
    ...firstBatchTargets(large.nifti.name, cold[large.nifti.name]![0]!, { w2: ttfb[2]!, auto: ttfb.auto! }, faults),
    linearTarget(large.nifti.name, linear, faults),
    ...memoryTargets(memory, floor2Row.seconds, large.nifti.name, faults),
    ...hugetlbTargets(hugetlb, large.nifti.name, faults, floor2Row.seconds),
  );
  printTargets(targets, options);

  const results = {
    date: new Date().toISOString(),
    machine: info,
    options: { ...options, out: undefined },
    largeSet: { root: set.root, pairs: set.pairs, shape: set.shape },
    deepregData: deepregRoot ?? null,
    workloads: Object.fromEntries(
      [...workloads, large.nifti3x].map((w) => [w.name, { format: w.format, pairs: w.pairs, files: w.files.length, movingShape: w.movingShape, fixedShape: w.fixedShape }]),
    ),
    rows,
    targets,
    children,
    seconds: (performance.now() - started) / 1000,
  };
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${shown(options.out)} in ${results.seconds.toFixed(0)} s total`);
}

/**
 * `--only ttfb`: the rows of the full run that the time-to-first-batch and linear-cost targets
 * use, measured the same way (same children, same definitions), and those three targets.
 */
async function runTtfb(
  options: Options,
  large: Awaited<ReturnType<typeof largeWorkloads>>,
  run: {
    rows: Row[];
    children: Record<string, ChildResult>;
    info: Record<string, unknown>;
    add: (row: Row) => Row;
    child: (name: string, c: ChildCase) => Promise<ChildResult>;
    faults: (label: string, r: ChildResult) => string;
  },
): Promise<void> {
  const { add, child, faults } = run;
  const R = options.reps;
  const w = large.nifti;
  const w0 = await child(`${w.name}-cold-w0`, { kind: "epoch", dataset: w.dataset, workers: 0, cacheBytes: 0, reps: R });
  add(epochRow("cold epoch, workers 0", w.name, w0, w0.seconds, `open ${formatSeconds(median(w0.openSeconds))}, ${cores(w0)} cores`));
  const w2 = await child(`${w.name}-cold-w2`, { kind: "epoch", dataset: w.dataset, workers: 2, cacheBytes: 0, reps: R });
  add(epochRow("cold epoch, workers 2", w.name, w2, w2.seconds, `open ${formatSeconds(median(w2.openSeconds))}, ${cores(w2)} cores`));
  const linear = await linearCost(large, R, add, child);
  const oneSample = ratio(median(w0.seconds), w0.samples);
  add({ measure: "one sample (cold epoch w0 / samples)", workload: w.name, n: R, seconds: oneSample, pageFaults: ratio(median(w0.pageFaults), w0.samples) });
  const ttfb: Record<string, ChildResult> = {};
  for (const workers of [0, 2, "auto"] as const) {
    const r = await child(`ttfb-w${workers}`, { kind: "ttfb", dataset: w.dataset, workers, reps: R });
    ttfb[workers] = r;
    add(epochRow(`time to first batch (1), workers ${workers === "auto" ? `auto (${r.workers})` : workers}`, w.name, r));
  }
  const targets = [...firstBatchTargets(w.name, w0, { w2: ttfb[2]!, auto: ttfb.auto! }, faults), linearTarget(w.name, linear, faults)];
  targets.push(...hugetlbTargets(await hugetlbRows(w, R, add, child), w.name, faults));
  printTargets(targets, options);
  await writeFile(
    options.out,
    `${JSON.stringify({ date: new Date().toISOString(), machine: run.info, options: { ...options, out: undefined }, rows: run.rows, targets, children: run.children }, null, 2)}\n`,
  );
  console.log(`\nwrote ${shown(options.out)}`);
}

/**
 * The first-batch targets: the first batch at w2 and at auto against one sample (the mean of
 * the w0 epoch `w0`). `variant` names the extra lines of a variant (e.g. GLIBC hugetlb).
 */
function firstBatchTargets(
  workload: string,
  w0: ChildResult,
  first: { w2: ChildResult; auto: ChildResult },
  faults: (label: string, r: ChildResult) => string,
  variant?: { name: string; measure: string; epoch: string },
): Target[] {
  const oneSample = ratio(median(w0.seconds), w0.samples);
  const share = `one sample's share of the ${variant?.epoch ?? "w0"} epoch: ${formatCount(ratio(median(w0.pageFaults), w0.samples))} faults`;
  const [name, measure] = [variant?.name ?? "", variant?.measure ?? ""];
  return [
    target(`time to first batch < 2x one sample${name}`, `first batch w2 / one sample${measure} (${workload})`, ratio(median(first.w2.seconds), oneSample), "<", 2, `${faults("first batch", first.w2)}; ${share}`),
    target(`time to first batch <= 1.5x one sample, auto${name}`, `first batch auto / one sample${measure} (${workload})`, ratio(median(first.auto.seconds), oneSample), "<=", 1.5, `${faults("first batch", first.auto)}; ${share}`),
  ];
}

/** "3x the data takes 3x the time" on the {@link linearCost} rows. */
function linearTarget(workload: string, linear: Awaited<ReturnType<typeof linearCost>>, faults: (label: string, r: ChildResult) => string): Target {
  return target(
    "3x the data takes 3x the time (10%)",
    `|time 3x / (3 x time 1x) - 1|, w2, 1x before and after (${workload})`,
    linear.deviation,
    "<=",
    0.1,
    `${faults("3x", linear.time3x)}; ${faults("1x before", linear.before)}; ${faults("1x after", linear.after)}`,
  );
}

/**
 * The linear-cost rows: cold epochs at `workers: 2` of the 1x set, the 3x set, and the 1x set
 * again, back to back, so that the host's drift during a run (up to 3x on this shared machine)
 * falls on both sizes alike; the target compares the 3x epoch with 3 x the mean of the two 1x.
 */
async function linearCost(
  large: Awaited<ReturnType<typeof largeWorkloads>>,
  R: number,
  add: (row: Row) => Row,
  child: (name: string, c: ChildCase) => Promise<ChildResult>,
): Promise<{ before: ChildResult; time3x: ChildResult; after: ChildResult; deviation: number }> {
  const epoch = async (name: string, w: Workload, measure: string): Promise<ChildResult> => {
    const r = await child(name, { kind: "epoch", dataset: w.dataset, workers: 2, cacheBytes: 0, reps: R });
    add(epochRow(measure, w.name, r, r.seconds, `${cores(r)} cores`));
    return r;
  };
  const before = await epoch("time-1x-before", large.nifti, "cold epoch, workers 2 (1x data, before 3x)");
  const time3x = await epoch("time-3x", large.nifti3x, "cold epoch, workers 2 (3x data)");
  const after = await epoch("time-1x-after", large.nifti, "cold epoch, workers 2 (1x data, after 3x)");
  const oneX = (median(before.seconds) + median(after.seconds)) / 2;
  return { before, time3x, after, deviation: Math.abs(ratio(median(time3x.seconds), 3 * oneX) - 1) };
}

/**
 * The GLIBC_TUNABLES of the "hugetlb" rows: glibc marks the memory it maps for large allocations
 * (every volume-sized array) with `madvise(MADV_HUGEPAGE)`, so where transparent huge pages are
 * in `madvise` mode a fresh array is paged in 2 MiB at a time instead of 4 KiB (512x fewer page
 * faults). A process-wide deployment knob read at start; no target depends on it.
 */
export const GLIBC_HUGETLB = "glibc.malloc.hugetlb=1";

/**
 * The rows measured again in a child started with {@link GLIBC_HUGETLB}: time to the first
 * batch at auto and workers 2, and the cold epochs at workers 0 and 2 (extra rows and target
 * lines; the plain ones stay).
 */
async function hugetlbRows(
  w: Workload,
  R: number,
  add: (row: Row) => Row,
  child: (name: string, c: ChildCase) => Promise<ChildResult>,
): Promise<{ ttfbAuto: ChildResult; ttfb2: ChildResult; w0: ChildResult; w2: ChildResult; auto: ChildResult }> {
  const env = { GLIBC_TUNABLES: GLIBC_HUGETLB };
  const w0 = await child(`${w.name}-cold-w0-hugetlb`, { kind: "epoch", dataset: w.dataset, workers: 0, cacheBytes: 0, reps: R, env });
  add(epochRow("cold epoch, workers 0, GLIBC hugetlb", w.name, w0, w0.seconds, `${cores(w0)} cores`));
  const w2 = await child(`${w.name}-cold-w2-hugetlb`, { kind: "epoch", dataset: w.dataset, workers: 2, cacheBytes: 0, reps: R, env });
  add(epochRow("cold epoch, workers 2, GLIBC hugetlb", w.name, w2, w2.seconds, `${cores(w2)} cores`));
  const auto = await child(`${w.name}-cold-wauto-hugetlb`, { kind: "epoch", dataset: w.dataset, workers: "auto", cacheBytes: 0, reps: R, env });
  add(epochRow(`cold epoch, workers auto (${auto.workers}), GLIBC hugetlb`, w.name, auto, auto.seconds, `${cores(auto)} cores`));
  const ttfbAuto = await child("ttfb-wauto-hugetlb", { kind: "ttfb", dataset: w.dataset, workers: "auto", reps: R, env });
  add(epochRow(`time to first batch (1), auto (${ttfbAuto.workers}), GLIBC hugetlb`, w.name, ttfbAuto));
  const ttfb2 = await child("ttfb-w2-hugetlb", { kind: "ttfb", dataset: w.dataset, workers: 2, reps: R, env });
  add(epochRow("time to first batch (1), workers 2, GLIBC hugetlb", w.name, ttfb2));
  return { ttfbAuto, ttfb2, w0, w2, auto };
}

/**
 * The first-batch and auto targets on the hugetlb rows (one sample from the hugetlb w0 epoch
 * too) and, given the 2-thread floor, the w2 epoch against it: extra lines.
 */
function hugetlbTargets(h: Awaited<ReturnType<typeof hugetlbRows>>, workload: string, faults: (label: string, r: ChildResult) => string, floor2?: number): Target[] {
  return [
    ...firstBatchTargets(workload, h.w0, { w2: h.ttfb2, auto: h.ttfbAuto }, faults, { name: ", GLIBC hugetlb", measure: ", both hugetlb", epoch: "hugetlb w0" }),
    target(
      "workers auto as fast as 0 and 2, GLIBC hugetlb",
      `cold epoch auto (${h.auto.workers}) / min(w0, w2), all hugetlb, 10% noise (${workload})`,
      ratio(median(h.auto.seconds), Math.min(median(h.w0.seconds), median(h.w2.seconds))),
      "<=",
      1.1,
      `${faults("auto", h.auto)}; ${faults("w0", h.w0)}; ${faults("w2", h.w2)}`,
    ),
    ...(floor2 === undefined
      ? []
      : [target("cold epoch w2 within 1.3x of the 2-thread floor, GLIBC hugetlb", `cold epoch w2 hugetlb / inflate only, 2 threads (${workload})`, ratio(median(h.w2.seconds), floor2), "<=", 1.3, faults("w2", h.w2))]),
  ];
}

/** The GLIBC_TUNABLES of the `GLIBC_TUNABLES` rows: glibc never returns freed memory to the system (so it is re-used, not paged in again). */
export const GLIBC_KEEP_FREED = "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295";

/** The memory re-use rows of the large NIfTI set: key, measure, and what differs from a plain cold epoch. */
const MEMORY_ROWS: [string, string, Partial<Extract<ChildCase, { kind: "epoch" }>> & { workers: 0 | 2 }][] = [
  ["w0-recycle", "cold epoch, workers 0, recycling", { workers: 0, recycle: true }],
  ["w2-recycle", "cold epoch, workers 2, recycling", { workers: 2, recycle: true }],
  ["w2-glibc", "cold epoch, workers 2, GLIBC_TUNABLES", { workers: 2, env: { GLIBC_TUNABLES: GLIBC_KEEP_FREED } }],
  ["w2-recycle-glibc", "cold epoch, workers 2, recycling + GLIBC", { workers: 2, recycle: true, env: { GLIBC_TUNABLES: GLIBC_KEEP_FREED } }],
];

/** The targets of issue 11 measured again on a consumer that recycles its samples (extra lines; the plain ones stay). */
function memoryTargets(memory: Record<string, ChildResult>, floor2: number, workload: string, faults: (label: string, r: ChildResult) => string): Target[] {
  const w0 = median(memory["w0-recycle"]!.seconds);
  const w2 = median(memory["w2-recycle"]!.seconds);
  return [
    target("workers 2 >= 1.6x faster than workers 0, recycling", `cold epoch w0 / w2, both recycling (${workload})`, ratio(w0, w2), ">=", 1.6, `${faults("w0", memory["w0-recycle"]!)}; ${faults("w2", memory["w2-recycle"]!)}`),
    target("cold epoch w2 within 1.3x of the 2-thread floor, recycling", `cold epoch w2 recycling / inflate only, 2 threads (${workload})`, ratio(w2, floor2), "<=", 1.3, faults("w2", memory["w2-recycle"]!)),
  ];
}

function printTargets(targets: Target[], options: Options): void {
  console.log("\ntargets (ratios measured in this run)");
  for (const t of targets) {
    console.log(`  ${t.pass ? "PASS" : "MISS"}  ${t.name.padEnd(56)} ${t.measure.padEnd(66)} ${t.value.toFixed(2).padStart(7)} ${t.op} ${t.limit}`);
    if (!t.pass && t.why) console.log(`        measured: ${t.why}`);
    if (!t.pass && t.fix) console.log(`        would fix: ${t.fix}`);
  }
  const passed = targets.filter((t) => t.pass).length;
  console.log(`  ${passed}/${targets.length} targets met${options.quick ? " (quick run: small data, 1 repetition; numbers are indicative only)" : ""}`);
}

/**
 * `--h5-ab`: the cold epochs of the large H5 set (read natively, and through h5wasm) and of the
 * large NIfTI set at workers 0 and 2, one child each, alternated `reps` times so that the load of
 * a shared machine falls on all alike; prints each median and the ratios H5 / NIfTI.
 */
async function runH5ab(options: Options): Promise<void> {
  const set = await ensureLargeSet(join(REPO_ROOT, ".cache", "bench-data"), { pairs: options.pairs, shape: options.shape }, (m) => console.log(m));
  const large = await largeWorkloads(set);
  console.log(`H5 A/B on ${set.pairs} pairs of ${set.shape.join("x")}, ${options.reps} alternated rounds, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const variants: { name: string; dataset: typeof large.nifti.dataset; env: Record<string, string> }[] = [
    { name: "large NIfTI", dataset: large.nifti.dataset, env: {} },
    { name: "large H5 (native read)", dataset: large.h5.dataset, env: { DEEPREG_LOADER_H5_NATIVE: "1" } },
    { name: "large H5 (h5wasm read)", dataset: large.h5.dataset, env: { DEEPREG_LOADER_H5_NATIVE: "0" } },
  ];
  const seconds: Record<string, number[]> = {};
  for (let round = 0; round < options.reps; round++) {
    for (const workers of [0, 2]) {
      for (const v of variants) {
        const r = await spawnCase(SCRIPT, { kind: "epoch", dataset: v.dataset, workers, cacheBytes: 0, reps: 1, env: v.env });
        (seconds[`${v.name}, workers ${workers}`] ??= []).push(...r.seconds);
      }
    }
  }
  for (const workers of [0, 2]) {
    const nifti = median(seconds[`large NIfTI, workers ${workers}`]!);
    for (const v of variants) {
      const s = seconds[`${v.name}, workers ${workers}`]!;
      const m = median(s);
      console.log(
        `${`${v.name}, workers ${workers}`.padEnd(36)} median ${formatSeconds(m).padStart(8)}  / NIfTI ${(m / nifti).toFixed(2)}  (${s.map((x) => x.toFixed(2)).join(" ")})`,
      );
    }
  }
  console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--child");
  if (at >= 0) {
    await childMain(argv[at + 1] ?? "{}");
    return;
  }
  const options = parseOptions(argv);
  if (options?.h5ab) await runH5ab(options);
  else if (options) await run(options);
}

main().catch((error: unknown) => {
  const e = error as Error & { code?: string };
  console.error(`benchmark failed: ${e.code ? `[${e.code}] ` : ""}${e.message}`);
  process.exitCode = 1;
});
