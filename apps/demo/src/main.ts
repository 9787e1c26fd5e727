// `pnpm demo`: generates synthetic registration data (or reads your configs), streams it
// through deepreg-loader, writes preview montages, and trains a tiny TF.js registration net.
import { existsSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDataLoader, readConfig } from "deepreg-loader";
import type { DeepRegConfig } from "deepreg-loader";
import { seeded } from "./random.js";
import { streamDataset } from "./stream.js";
import type { StreamReport } from "./stream.js";
import { ensureSyntheticDatasets } from "./synthetic-dataset.js";
import { toDataset } from "@deepreg-loader/tfjs";
import { trainRegistration } from "./train.js";
import type { TrainStep } from "./train.js";

const USAGE = `Usage: pnpm demo [-- CONFIG.yaml [MORE.yaml ...]] [--workers N] [--seed N] [--steps N] [--no-train]

Without configs: writes synthetic paired, unpaired and grouped datasets (NIfTI and H5) into
.cache/demo-data, streams each through createDataLoader for 2 epochs, writes preview PNGs and
trains a tiny TF.js registration network on the paired data.
With configs (later files override earlier ones, paths relative to the current directory):
streams the first split with data for 2 epochs and writes a preview PNG.`;

/** The repository root (this file is apps/demo/dist/main.js once built). */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Where the user ran `pnpm demo` (pnpm runs the script inside apps/demo). */
const USER_CWD = process.env.INIT_CWD ?? process.cwd();

function shown(path: string): string {
  const rel = relative(USER_CWD, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

function shapeText(shape: readonly number[]): string {
  return shape.join("x");
}

function printStream(name: string, r: StreamReport): void {
  const mb = r.bytes / 1e6;
  console.log(`${name}`);
  console.log(
    `  ${r.split}: ${r.numSamples} pairs per epoch -> ${r.samples} samples in ${r.epochs} epochs (${r.batches} batches of <= ${r.batchSize})`,
  );
  console.log(
    `  shapes: moving ${shapeText(r.movingImageShape)}, fixed ${shapeText(r.fixedImageShape)}${r.labeled ? ", labeled" : ", unlabeled"}`,
  );
  console.log(
    `  throughput: ${(r.samples / r.seconds).toFixed(0)} samples/s, ${(mb / r.seconds).toFixed(0)} MB/s of float32 (${mb.toFixed(1)} MB in ${r.seconds.toFixed(2)} s)`,
  );
  console.log(`  preview: ${shown(r.previewPath)} (${r.previewSize.width}x${r.previewSize.height})`);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

async function train(config: DeepRegConfig, options: { seed: number; steps: number; workers?: number }): Promise<void> {
  const shape: [number, number, number] = [
    Math.max(4, Math.round(config.dataset.moving_image_shape[0] / 2)),
    Math.max(4, Math.round(config.dataset.moving_image_shape[1] / 2)),
    Math.max(4, Math.round(config.dataset.moving_image_shape[2] / 2)),
  ];
  // Half resolution keeps the CPU backend fast: the loader resizes on the fly.
  const dataset = { ...config.dataset, moving_image_shape: shape, fixed_image_shape: shape };
  const loader = await createDataLoader(dataset, "train", {
    seed: options.seed,
    cwd: USER_CWD,
    cacheBytes: 2 ** 28,
    // DeepReg's training augmentation, as every DeepReg example config asks: a random affine per
    // image (scale 0.1), fresh for every sample and epoch, seeded by `seed`.
    augmentation: config.train.preprocess.data_augmentation ?? { name: "affine" },
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const batchSize = 2;
  console.log(
    `\ntraining a tiny registration network (TF.js, CPU backend) on paired/nifti at ${shapeText(shape)}, batch ${batchSize}, affine augmentation:`,
  );
  console.log("  3 conv3d layers predict a displacement field; loss = image MSE + 0.1 (1 - label Dice) + 0.1 smoothness");
  const start = performance.now();
  const every = Math.max(1, Math.floor(options.steps / 6));
  let history: TrainStep[];
  try {
    history = await trainRegistration(toDataset(loader, { batchSize, training: true, shuffleBufferNumBatch: 1 }), {
      steps: options.steps,
      random: seeded(`train-${options.seed}`),
      onStep: (s) => {
        if (s.step === 1 || s.step % every === 0 || s.step === options.steps) {
          const dice = s.dice === undefined ? "" : `  label Dice ${s.dice.toFixed(3)} (unregistered ${s.diceBefore?.toFixed(3)})`;
          console.log(`  step ${String(s.step).padStart(3)}  loss ${s.loss.toFixed(4)}${dice}`);
        }
      },
    });
  } finally {
    await loader.close();
  }
  // Batches differ in difficulty: compare the mean over the first and last few steps.
  const window = Math.max(1, Math.min(5, Math.floor(history.length / 3)));
  const first = history.slice(0, window);
  const last = history.slice(-window);
  const lossFirst = mean(first.map((s) => s.loss));
  const lossLast = mean(last.map((s) => s.loss));
  const change = ((lossLast - lossFirst) / lossFirst) * 100;
  console.log(
    `  loss, mean of first ${window} steps ${lossFirst.toFixed(4)} -> last ${window} steps ${lossLast.toFixed(4)} (${change >= 0 ? "+" : ""}${change.toFixed(0)}%)`,
  );
  const dice = last.filter((s) => s.dice !== undefined);
  if (dice.length > 0) {
    console.log(
      `  label Dice over the last ${window} steps: ${mean(dice.map((s) => s.dice!)).toFixed(3)} registered vs ${mean(dice.map((s) => s.diceBefore!)).toFixed(3)} unregistered`,
    );
  }
  console.log(`  ${history.length} steps in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    allowPositionals: true,
    options: {
      workers: { type: "string" },
      seed: { type: "string", default: "1" },
      steps: { type: "string", default: "30" },
      "no-train": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const seed = Number(values.seed);
  const steps = Number(values.steps);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  for (const [name, v] of [["--seed", seed], ["--steps", steps], ["--workers", workers ?? 0]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, found ${String(v)}`);
  }
  const start = performance.now();
  console.log("deepreg-loader demo");

  if (positionals.length > 0) {
    const paths = positionals.map((p) => resolve(USER_CWD, p));
    for (const p of paths) if (!existsSync(p)) throw new Error(`config file not found: ${p}`);
    const config = await readConfig(paths, { cwd: USER_CWD, onWarning: (w) => console.log(`  config warning: ${w}`) });
    const name = paths.map((p) => basename(p).replace(/\.ya?ml$/, "")).join("+");
    const report = await streamDataset(config, {
      cwd: USER_CWD,
      seed,
      ...(workers === undefined ? {} : { workers }),
      previewPath: join(REPO_ROOT, ".cache", "demo-previews", `${name}.png`),
    });
    console.log("");
    printStream(`${config.dataset.type} (${config.dataset[report.split]?.format}) from ${positionals.join(" + ")}`, report);
    console.log(`\ndone in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    return;
  }

  const root = join(REPO_ROOT, ".cache", "demo-data");
  const data = await ensureSyntheticDatasets(root);
  const took = ((performance.now() - start) / 1000).toFixed(1);
  console.log(
    `synthetic phantoms (${shapeText(data.shape)}, 2 label channels, moving = fixed under a known smooth deformation): ` +
      `${data.reused ? "reused" : `written in ${took} s to`} ${shown(root)}\n`,
  );
  let paired: DeepRegConfig | undefined;
  for (const { layout, format, path } of data.configs) {
    const config = await readConfig(path);
    if (layout === "paired" && format === "nifti") paired = config;
    const report = await streamDataset(config, {
      cwd: USER_CWD,
      seed,
      ...(workers === undefined ? {} : { workers }),
      previewPath: join(root, "previews", `${layout}_${format}.png`),
    });
    printStream(`${layout} / ${format}  (config ${shown(path)})`, report);
  }
  if (!values["no-train"] && paired) await train(paired, { seed, steps, ...(workers === undefined ? {} : { workers }) });
  console.log(`\ndone in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  const e = error as Error & { code?: string };
  console.error(`demo failed: ${e.code ? `[${e.code}] ` : ""}${e.message}`);
  process.exitCode = 1;
});
