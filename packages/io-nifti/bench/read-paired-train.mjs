// One cold-ish epoch of the DeepReg paired train split (100 `.nii.gz`), median of RUNS reps:
// the one-thread inflate floor, readNiftiSync end to end, its split into inflate and decode,
// and columnMajorToRowMajor against the previous implementation (kept below as a baseline).
// Run after building: `node bench/read-paired-train.mjs` (from packages/io-nifti). Not a test.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { columnMajorToRowMajor } from "@deepreg-loader/volume-ops";
import { decodeNifti, decodeNiftiHeader, readNiftiSync } from "../dist/index.js";

const RUNS = Number(process.env.RUNS ?? 9);
const ROOT = process.env.DEEPREG_PAIRED_TRAIN ?? "/work/shared/data/deepreg/data/test/nifti/paired/train";

const files = readdirSync(ROOT)
  .flatMap((dir) => readdirSync(path.join(ROOT, dir)).map((f) => path.join(ROOT, dir, f)))
  .filter((f) => f.endsWith(".nii.gz"))
  .sort();

function gunzip(bytes) {
  const trailer = bytes.readUInt32LE(bytes.length - 4);
  return zlib.gunzipSync(bytes, { chunkSize: trailer + 1 });
}

/** The implementation before the speed-up: drop length-1 axes, 16x16 tiles over first/last axes. */
function baselineReorder(source, shape) {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const dims = shape.filter((d) => d !== 1);
  if (dims.length <= 1) {
    out.set(source);
    return out;
  }
  const BLOCK = 16;
  const n = dims.length;
  const first = dims[0];
  const last = dims[n - 1];
  const srcLastStride = size / last;
  const dstFirstStride = size / first;
  const mid = dims.slice(1, n - 1);
  const srcMid = [];
  const dstMid = [];
  let s0 = first;
  for (const d of mid) {
    srcMid.push(s0);
    s0 *= d;
  }
  let t0 = last;
  for (let k = mid.length - 1; k >= 0; k--) {
    dstMid[k] = t0;
    t0 *= mid[k];
  }
  const index = new Array(mid.length).fill(0);
  const midCount = size / (first * last);
  let srcBase = 0;
  let dstBase = 0;
  for (let m = 0; m < midCount; m++) {
    for (let i0 = 0; i0 < first; i0 += BLOCK) {
      const i1 = Math.min(i0 + BLOCK, first);
      for (let k0 = 0; k0 < last; k0 += BLOCK) {
        const k1 = Math.min(k0 + BLOCK, last);
        for (let i = i0; i < i1; i++) {
          const dstRow = dstBase + i * dstFirstStride;
          let s = srcBase + i + k0 * srcLastStride;
          for (let k = k0; k < k1; k++, s += srcLastStride) out[dstRow + k] = source[s];
        }
      }
    }
    for (let k = mid.length - 1; k >= 0; k--) {
      const next = index[k] + 1;
      if (next < mid[k]) {
        index[k] = next;
        srcBase += srcMid[k];
        dstBase += dstMid[k];
        break;
      }
      srcBase -= index[k] * srcMid[k];
      dstBase -= index[k] * dstMid[k];
      index[k] = 0;
    }
  }
  return out;
}

/**
 * Medians of RUNS reps of each task, run round-robin (rep 1 of every task, then rep 2, ...)
 * after WARMUP reps, so that load from other jobs on the machine falls on all of them alike.
 */
function medians(tasks, WARMUP = 2) {
  const times = tasks.map(() => []);
  for (let r = -WARMUP; r < RUNS; r++) {
    tasks.forEach(([, fn], i) => {
      const t = performance.now();
      fn();
      if (r >= 0) times[i].push(performance.now() - t);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

const rows = [];
const row = (what, ms, note = "") => rows.push({ what, "median ms": ms.toFixed(1), note });

const compressed = files.map((f) => readFileSync(f));
const inflated = compressed.map(gunzip);
// The decode as before the speed-up: the same header and typed-array view, the baseline reorder.
const VIEWS = { uint8: Uint8Array, int16: Int16Array, float32: Float32Array, float64: Float64Array };
function decodeBaseline(bytes) {
  const { shape, dtype, voxOffset } = decodeNiftiHeader(bytes);
  const count = shape.reduce((a, b) => a * b, 1);
  return baselineReorder(new VIEWS[dtype](bytes.buffer, bytes.byteOffset + voxOffset, count), shape);
}
const VIEW_OF = (bytes) => {
  const { shape, dtype, voxOffset } = decodeNiftiHeader(bytes);
  return new VIEWS[dtype](bytes.buffer, bytes.byteOffset + voxOffset, shape.reduce((a, b) => a * b, 1));
};
const [floor, read, readBefore, inflate, decode, decodeBefore, convert] = medians([
  ["floor", () => files.forEach((f) => gunzip(readFileSync(f)))],
  ["readNiftiSync", () => files.forEach((f) => readNiftiSync(f))],
  ["readNiftiSync (baseline reorder)", () => files.forEach((f) => decodeBaseline(gunzip(readFileSync(f))))],
  ["inflate", () => compressed.forEach((b) => gunzip(b))],
  ["decode", () => inflated.forEach((b) => decodeNifti(b))],
  ["decode (baseline reorder)", () => inflated.forEach((b) => decodeBaseline(b))],
  ["convert only", () => inflated.forEach((b) => new Float32Array(VIEW_OF(b)))],
]);
row(`gunzipSync floor (readFileSync + gunzipSync, ${files.length} files)`, floor);
row(`readNiftiSync x ${files.length}`, read, `${(read / floor).toFixed(2)}x floor`);
row("  same with the baseline reorder", readBefore, `${(readBefore / floor).toFixed(2)}x floor`);
row("  inflate only (gunzipSync from memory)", inflate);
row("  decode only (decodeNifti from inflated bytes)", decode, `baseline reorder ${decodeBefore.toFixed(1)} ms (${(decodeBefore / decode).toFixed(2)}x)`);
row("  plain conversion, no reorder (new Float32Array(view))", convert);

// The reorder alone, against the baseline and a plain conversion (`new Float32Array(src)`).
const ramp = (T, n) => {
  const a = new T(n);
  for (let i = 0; i < n; i++) a[i] = (i * 7919) % 251;
  return a;
};
for (const [T, shape] of [
  [Float64Array, [44, 59, 41, 3]],
  [Float64Array, [64, 64, 60, 3]],
  [Uint8Array, [64, 64, 60]],
  [Uint8Array, [44, 59, 41]],
  [Float32Array, [256, 256, 256]],
]) {
  const src = ramp(T, shape.reduce((a, b) => a * b, 1));
  const now = columnMajorToRowMajor(src, shape);
  const before = baselineReorder(src, shape);
  for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) throw new Error(`mismatch at ${i} for ${shape}`);
  const [msNow, msBefore, msCopy] = medians([
    ["now", () => columnMajorToRowMajor(src, shape)],
    ["baseline", () => baselineReorder(src, shape)],
    ["copy", () => new Float32Array(src)],
  ]);
  const name = `${T.name} [${shape.join(",")}]`;
  row(`columnMajorToRowMajor ${name}`, msNow, `baseline ${msBefore.toFixed(2)} ms (${(msBefore / msNow).toFixed(2)}x), plain copy ${msCopy.toFixed(2)} ms`);
}

console.log(`node ${process.version}, medians of ${RUNS} round-robin runs`);
console.table(rows);
