// `node dist/augment-ab.js --before <repo>`: the rows of issue 8's speed targets only, for two
// builds alternated in one run (A = `--before`, another checkout with its benchmark built;
// B = this one): the warpAffine row (both builds' volume-ops in this process, alternated) and
// the large NIfTI set's cold epochs with affine at workers 0 and 2 and without at workers 2
// (a child process per epoch, A and B alternated). Prints medians and the target ratios.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { ChildCase } from "./child.js";
import { spawnCase } from "./child.js";
import { ensureLargeSet } from "./generate.js";
import { median, ratio } from "./stats.js";
import { AUGMENTED_EPOCH } from "./warp.js";
import { largeWorkloads } from "./workloads.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    before: { type: "string" },
    reps: { type: "string", default: "3" },
    "warp-reps": { type: "string", default: "5" },
    "warp-only": { type: "boolean", default: false },
  },
});
const reps = Number(values.reps);
const before = values.before === undefined ? undefined : resolve(values.before);
const uptime = (): string => execFileSync("uptime", { encoding: "utf8" }).trim();

const builds: { name: string; root: string }[] = [...(before ? [{ name: "A (before)", root: before }] : []), { name: "B (this)", root: REPO_ROOT }];
const script = (root: string): string => join(root, "apps", "benchmark", "dist", "main.js");

console.log(`start: ${uptime()}`);
// Warp row: a child process per build and repetition (alternated), each timing `warpAffine` of
// its build (after a warm-up) as warp.ts does; the median over the children's medians.
const WARP_CHILD = `
const { warpAffine, resize } = await import(process.argv[1]);
const { warpThroughput } = await import(process.argv[2]);
const r = warpThroughput(Number(process.argv[3]), 128, { warpAffine, resize });
process.stdout.write(JSON.stringify([r.affine.seconds, r.affineReused.seconds, r.cpu.affine, r.cpu.affineReused]));
`;
const warpModule = pathToFileURL(fileURLToPath(new URL("./warp-only.js", import.meta.url))).href;
const warp = builds.map(() => [] as number[]);
const reused = builds.map(() => [] as number[]);
const cpuFresh = builds.map(() => [] as number[]);
const cpuReused = builds.map(() => [] as number[]);
for (let r = 0; r < Number(values["warp-reps"]); r++) {
  for (const [k, b] of builds.entries()) {
    const ops = pathToFileURL(join(b.root, "packages", "volume-ops", "dist", "index.js")).href;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", WARP_CHILD, ops, warpModule, "5"], { encoding: "utf8" });
    const [fresh, into, cf, cr] = JSON.parse(out) as [number[], number[], number[], number[]];
    cpuFresh[k]!.push(median(cf));
    cpuReused[k]!.push(median(cr));
    warp[k]!.push(median(fresh));
    reused[k]!.push(median(into));
  }
}
builds.forEach((b, k) => {
  const mv = (s: number[]): string => `median ${(128 ** 3 / median(s) / 1e6).toFixed(1)} Mvoxel/s, best ${(128 ** 3 / Math.min(...s) / 1e6).toFixed(1)}`;
  console.log(`${b.name} warpAffine 128^3: ${mv(warp[k]!)}; into a re-used array (B only; A allocates): ${mv(reused[k]!)} (${warp[k]!.length} children x median of 5)`);
  console.log(`${b.name} the same in CPU time: ${mv(cpuFresh[k]!)}; re-used ${mv(cpuReused[k]!)}`);
});
if (values["warp-only"]) process.exit(0);

const set = await ensureLargeSet(join(REPO_ROOT, ".cache", "bench-data"), { pairs: 16, shape: [192, 192, 160] }, (m) => console.log(m));
const { nifti } = await largeWorkloads(set);
const cases: Record<string, ChildCase> = {
  "affine w0": { ...AUGMENTED_EPOCH, dataset: nifti.dataset, workers: 0, reps: 1 },
  "affine w2": { ...AUGMENTED_EPOCH, dataset: nifti.dataset, workers: 2, reps: 1 },
  "plain w2": { kind: "epoch", dataset: nifti.dataset, workers: 2, cacheBytes: 0, reps: 1 },
};
const seconds = builds.map(() => Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<string, number[]>);
for (let r = 0; r < reps; r++) {
  for (const [name, c] of Object.entries(cases)) {
    for (const [k, b] of builds.entries()) {
      const result = await spawnCase(script(b.root), c);
      seconds[k]![name]!.push(...result.seconds);
      console.log(`rep ${r} ${b.name} ${name}: ${result.seconds.map((s) => s.toFixed(2)).join(" ")} s (${(result.cpuSeconds[0]! / result.seconds[0]!).toFixed(2)} cores)`);
    }
  }
}
for (const [k, b] of builds.entries()) {
  const m = (name: string): number => median(seconds[k]![name]!);
  console.log(
    `${b.name}: affine w0 ${m("affine w0").toFixed(2)} s, affine w2 ${m("affine w2").toFixed(2)} s, plain w2 ${m("plain w2").toFixed(2)} s; ` +
      `w0/w2 ${ratio(m("affine w0"), m("affine w2")).toFixed(2)} (target >= 1.7), affine/plain w2 ${ratio(m("affine w2"), m("plain w2")).toFixed(2)} (target <= 2)`,
  );
}
console.log(`end: ${uptime()}`);
