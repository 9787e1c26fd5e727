import { columnMajorToRowMajor, normalize, valueRange, valueRangeOf, createVolume } from "deepreg-loader";
const shape = [160, 160, 128]; const n = 160*160*128;
const i16 = new Int16Array(n).map((_, i) => (i * 7919) % 3000 - 200);
const out = new Float32Array(n);
for (let r = 0; r < 8; r++) {
  let t = performance.now(); columnMajorToRowMajor(i16, shape, { out }); const a = performance.now() - t;
  t = performance.now(); const rg = valueRange(createVolume(out, shape)); normalize(createVolume(out, shape), { range: rg, out }); const b = performance.now() - t;
  t = performance.now(); const r2 = valueRangeOf(i16); const c = performance.now() - t;
  t = performance.now(); columnMajorToRowMajor(i16, shape, { out, normalize: r2 }); const d = performance.now() - t;
  console.log(`reorder ${a.toFixed(1)} range+norm ${b.toFixed(1)} | rangeOf i16 ${c.toFixed(1)} fused ${d.toFixed(1)}`);
}
