// Throughput of resize, normalize and columnMajorToRowMajor, median of several runs.
// Run after building: `node bench/bench.mjs` (from packages/volume-ops). Not a test.
import os from "node:os";
import { createVolume } from "@deepreg-loader/core";
import { columnMajorToRowMajor, normalize, resize } from "../dist/index.js";

const RUNS = Number(process.env.RUNS ?? 7);

function median(fn) {
  fn(); // warm-up
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function ramp(T, size) {
  const a = new T(size);
  for (let i = 0; i < size; i++) a[i] = (i * 7919) % 1000;
  return a;
}

const size = (shape) => shape.reduce((a, b) => a * b, 1);
const rows = [];
function row(what, inShape, outShape, ms) {
  const rate = (shape) => (size(shape) / ms / 1e3).toFixed(0);
  rows.push({ what, from: inShape.join("x"), to: outShape.join("x"), ms: ms.toFixed(1), input: rate(inShape), output: rate(outShape) });
}

for (const [from, to] of [
  [[64, 64, 60], [16, 16, 16]],
  [[128, 128, 128], [192, 192, 160]],
  [[192, 192, 160], [128, 128, 128]],
  [[44, 59, 41, 3], [64, 64, 60]],
]) {
  const v = createVolume(ramp(Float32Array, size(from)), from);
  const ms = median(() => resize(v, to));
  row("resize", from, to.concat(from.slice(3)), ms);
}

for (const shape of [[64, 64, 60], [192, 192, 160]]) {
  const v = createVolume(ramp(Float32Array, size(shape)), shape);
  row("normalize", shape, shape, median(() => normalize(v)));
}

for (const [shape, T] of [
  [[256, 256, 256], Float32Array],
  [[192, 192, 160], Int16Array],
  [[64, 64, 60], Float32Array],
  [[160, 192, 160, 3], Uint8Array],
]) {
  const src = ramp(T, size(shape));
  const out = new Float32Array(size(shape));
  row(`columnMajorToRowMajor ${T.name}`, shape, shape, median(() => columnMajorToRowMajor(src, shape, { out })));
}

// The unblocked loop for comparison: read the source in order, scatter the writes.
{
  const [X, Y, Z] = [256, 256, 256];
  const src = ramp(Float32Array, X * Y * Z);
  const out = new Float32Array(X * Y * Z);
  const ms = median(() => {
    let s = 0;
    for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) out[(x * Y + y) * Z + z] = src[s++];
  });
  row("naive reorder loop (reference)", [X, Y, Z], [X, Y, Z], ms);
}

console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), median of ${RUNS} runs`);
console.log("| operation | input | output | median ms | input Mvoxel/s | output Mvoxel/s |");
console.log("|---|---|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.what} | ${r.from} | ${r.to} | ${r.ms} | ${r.input} | ${r.output} |`);
