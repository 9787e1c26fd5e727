// Before/after of a few benchmark rows on two builds of the repository, alternated in one run
// (the machine is shared: back-to-back children of the two builds see the same load).
//
//   node apps/benchmark/scripts/compare-builds.mjs --before /tmp/old-checkout --after . \
//     [--rounds 3] [--reps 4] CASE...
//
// A build is a repository root whose packages are built (`pnpm build`); copy a built tree
// (`cp -a packages /tmp/old/ && ln -s $PWD/node_modules /tmp/old/node_modules`) to keep a
// "before". A CASE is `kind:set:workers[:labels]`:
//   epoch:deepreg:0          cold epoch (fresh loader per repetition), DeepReg paired NIfTI
//   epoch:deepreg:auto:all   the same, every label channel a sample (valid semantics)
//   epoch:deepreg-h5:auto    the DeepReg paired H5 copy
//   epoch:large:2            the benchmark's large NIfTI set (`.cache/bench-data`, made by `pnpm bench`)
//   epoch:large-h5:2         the same voxels as gzip-chunked H5
//   ttfb:large:auto          time to the first batch of one sample
//   floor:deepreg:0          gunzipSync of every .nii.gz, files in memory (the inflate floor)
// Each child runs `--reps` repetitions in one process; for epochs the first (JIT warm-up) is
// dropped. Prints the median wall time and CPU time (all threads) per build and their ratio
// (after / before), with the load average before and after.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const REPO = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const DEEPREG = process.env.DEEPREG_DATA ?? join(REPO, "..", "shared", "data", "deepreg");
const SETS = {
  deepreg: [join(DEEPREG, "data/test/nifti/paired/train"), "nifti", [64, 64, 60], [44, 59, 41]],
  "deepreg-h5": [join(DEEPREG, "data/test/h5/paired/train"), "h5", [64, 64, 60], [44, 59, 41]],
  large: [join(REPO, ".cache/bench-data/paired-16x192x192x160-v1/nifti/train"), "nifti", [192, 192, 160], [192, 192, 160]],
  "large-h5": [join(REPO, ".cache/bench-data/paired-16x192x192x160-v1/h5/train"), "h5", [192, 192, 160], [192, 192, 160]],
};
const TOPS = ["moving_images", "fixed_images", "moving_labels", "fixed_labels"];

async function child(root, c) {
  const dl = await import(pathToFileURL(join(root, "packages/deepreg-loader/dist/index.js")).href);
  const [dir, format, moving, fixed] = SETS[c.set];
  const out = { seconds: [], cpu: [] };
  const time = async (run) => {
    const start = performance.now();
    const cpu = process.cpuUsage();
    await run();
    out.seconds.push((performance.now() - start) / 1000);
    const used = process.cpuUsage(cpu);
    out.cpu.push((used.user + used.system) / 1e6);
  };
  if (c.kind === "floor") {
    const { gunzipSync } = await import("node:zlib");
    const files = TOPS.flatMap((t) => readdirSync(join(dir, t)).sort().map((n) => readFileSync(join(dir, t, n))));
    for (let r = 0; r < c.reps; r++) await time(() => files.forEach((b) => gunzipSync(b)));
    return out;
  }
  const checked = dl.validateConfig({ dataset: { train: { dir: [dir], format, labeled: true }, type: "paired", moving_image_shape: moving, fixed_image_shape: fixed } });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  for (let r = 0; r < c.reps; r++) {
    const loader = await dl.createDataLoader(checked.config.dataset, "train", {
      seed: 1,
      workers: c.workers,
      cacheBytes: 0,
      ...(c.labels === undefined ? {} : { labelSampling: c.labels }),
    });
    out.workers = loader.workers;
    try {
      if (c.kind === "epoch") {
        await time(async () => {
          for await (const s of loader.samples({ epoch: r })) void s;
        });
      } else {
        await time(async () => {
          const batches = loader.batches({ batchSize: 1, training: true, epochs: 1 });
          await batches.next();
          await batches.return(undefined);
        });
      }
    } finally {
      await loader.close();
    }
  }
  return out;
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    process.stdout.write(`${JSON.stringify(await child(argv[1], JSON.parse(argv[2])))}\n`);
    return;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { before: { type: "string" }, after: { type: "string" }, rounds: { type: "string" }, reps: { type: "string" } },
  });
  if (!values.before || !values.after || positionals.length === 0) {
    console.error("usage: compare-builds.mjs --before DIR --after DIR [--rounds N] [--reps N] CASE... (see the top of this file)");
    process.exit(2);
  }
  const builds = [["before", resolve(values.before)], ["after", resolve(values.after)]];
  for (const [, root] of builds) {
    if (!existsSync(join(root, "packages/deepreg-loader/dist/index.js"))) throw new Error(`${root} has no built packages/deepreg-loader`);
  }
  const rounds = Number(values.rounds ?? 3);
  const reps = Number(values.reps ?? 4);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`load ${load()}; ${rounds} rounds, ${reps} repetitions per child`);
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const spec of positionals) {
      const [kind, set, workers, labels] = spec.split(":");
      if (!["epoch", "ttfb", "floor"].includes(kind) || !(set in SETS)) throw new Error(`unknown case ${spec}`);
      const c = { kind, set, workers: workers === "auto" ? "auto" : Number(workers ?? 0), reps, ...(labels ? { labels } : {}) };
      for (const [name, root] of round % 2 === 0 ? builds : [...builds].reverse()) {
        const text = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", root, JSON.stringify(c)], { encoding: "utf8", maxBuffer: 1 << 26 });
        const r = JSON.parse(text.trim().split("\n").at(-1));
        const skip = kind === "epoch" && reps > 1 ? 1 : 0;
        const entry = ((results[spec] ??= {})[name] ??= { seconds: [], cpu: [], workers: r.workers });
        entry.seconds.push(...r.seconds.slice(skip));
        entry.cpu.push(...r.cpu.slice(skip));
      }
    }
  }
  for (const [spec, byBuild] of Object.entries(results)) {
    const cells = builds.map(([name]) => {
      const e = byBuild[name];
      return `${name} ${(median(e.seconds) * 1000).toFixed(1)} ms (cpu ${(median(e.cpu) * 1000).toFixed(0)} ms, n ${e.seconds.length}${e.workers === undefined ? "" : `, workers ${e.workers}`})`;
    });
    const ratio = (k) => (median(byBuild.after[k]) / median(byBuild.before[k])).toFixed(3);
    console.log(`${spec.padEnd(24)} ${cells.join("  ")}  after/before ${ratio("seconds")} (cpu ${ratio("cpu")})`);
  }
  console.log(`load ${load()}`);
}

await main();
