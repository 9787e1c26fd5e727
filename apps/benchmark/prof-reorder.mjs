import { columnMajorToRowMajor } from "deepreg-loader";
const shape = [160, 160, 128]; const n = 160*160*128;
const i16 = new Int16Array(n).map((_, i) => i % 3000); const u8 = new Uint8Array(n).map((_, i) => i & 1);
for (let r = 0; r < 5; r++) {
  let t = performance.now(); columnMajorToRowMajor(i16, shape); const a = performance.now() - t;
  t = performance.now(); columnMajorToRowMajor(u8, shape); const b = performance.now() - t;
  const out = new Float32Array(n);
  t = performance.now(); columnMajorToRowMajor(i16, shape, { out }); const c = performance.now() - t;
  console.log(`i16 ${a.toFixed(1)} u8 ${b.toFixed(1)} i16 into reused ${c.toFixed(1)}`);
}
