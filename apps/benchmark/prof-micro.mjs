import { readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { readNiftiSync, readNiftiHeader, valueRange, normalize, columnMajorToRowMajor } from "deepreg-loader";
const D = process.argv[2];
for (const sub of ["moving_images", "moving_labels"]) {
  const f = `${D}/${sub}/${readdirSync(`${D}/${sub}`)[0]}`;
  const buf = readFileSync(f);
  for (let r = 0; r < 4; r++) {
    let t = performance.now(); const raw = gunzipSync(buf); const tg = performance.now() - t;
    t = performance.now(); const v = readNiftiSync(f, sub.includes("label") ? { channel: 0 } : {}); const tr = performance.now() - t;
    t = performance.now(); const rg = valueRange(v); const tv = performance.now() - t;
    t = performance.now(); normalize(v, { range: rg, out: v.data }); const tn = performance.now() - t;
    console.log(sub, v.shape.join("x"), `gunzip ${tg.toFixed(1)} readNiftiSync ${tr.toFixed(1)} range ${tv.toFixed(1)} norm ${tn.toFixed(1)}`);
  }
}
