// The async readers over the DeepReg paired train split (100 `.nii.gz`), medians of RUNS
// round-robin reps: readNifti one file at a time, readNifti for all files at once (inflate on
// the libuv pool in parallel), readNiftiSync, and the bare `zlib.gunzip` + `readFile` reference.
// Run after building: `node bench/read-paired-train-async.mjs` (from packages/io-nifti). Not a test.
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { decodeNifti, readNifti, readNiftiSync } from "../dist/index.js";

const RUNS = Number(process.env.RUNS ?? 9);
const ROOT = process.env.DEEPREG_PAIRED_TRAIN ?? "/work/shared/data/deepreg/data/test/nifti/paired/train";
const files = readdirSync(ROOT)
  .flatMap((dir) => readdirSync(path.join(ROOT, dir)).map((f) => path.join(ROOT, dir, f)))
  .filter((f) => f.endsWith(".nii.gz"))
  .sort();

const gunzip = (bytes) =>
  new Promise((resolve, reject) =>
    zlib.gunzip(bytes, { chunkSize: bytes.readUInt32LE(bytes.length - 4) + 1 }, (e, r) => (e ? reject(e) : resolve(r))),
  );

// The reader before inflating was bounded by the header: whole file, one `zlib.gunzip`, decode.
const wholeFileRead = async (f) => decodeNifti(await gunzip(await readFile(f)), { file: f });
const wholeFileReadSync = (f) => {
  const bytes = readFileSync(f);
  return decodeNifti(zlib.gunzipSync(bytes, { chunkSize: bytes.readUInt32LE(bytes.length - 4) + 1 }), { file: f });
};

const tasks = [
  ["readFile + zlib.gunzip, all at once (reference)", () => Promise.all(files.map(async (f) => gunzip(await readFile(f))))],
  ["whole-file read + gunzip + decodeNifti, all at once (before)", () => Promise.all(files.map(wholeFileRead))],
  ["whole-file read + gunzipSync + decodeNifti, one at a time (before)", async () => { for (const f of files) wholeFileReadSync(f); }],
  ["readNifti, all at once", () => Promise.all(files.map((f) => readNifti(f)))],
  ["readNifti, one at a time", async () => { for (const f of files) await readNifti(f); }],
  ["readNiftiSync, one at a time", async () => { for (const f of files) readNiftiSync(f); }],
];
const times = tasks.map(() => []);
for (let r = -2; r < RUNS; r++) {
  for (const [i, [, fn]] of tasks.entries()) {
    const t = performance.now();
    await fn();
    if (r >= 0) times[i].push(performance.now() - t);
  }
}
console.log(`node ${process.version}, ${files.length} files, medians of ${RUNS} round-robin runs`);
console.table(tasks.map(([what], i) => ({ what, "median ms": times[i].sort((a, b) => a - b)[Math.floor(RUNS / 2)].toFixed(1) })));
