// A/B of the worker's preparation: old (readNiftiSync, valueRange, normalize in place) vs fused
// (readNiftiRawSync, valueRangeOf, reorder with normalize), two threads over the same files.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { readdirSync } from "node:fs";
import { columnMajorToRowMajor, normalize, readNiftiRawSync, readNiftiSync, valueRange, valueRangeOf } from "deepreg-loader";


if (isMainThread) {
  const D = process.argv[2];
  const tops = ["moving_images", "fixed_images", "moving_labels", "fixed_labels"];
  const files = tops.flatMap((t) => readdirSync(`${D}/${t}`).map((n) => ({ path: `${D}/${t}/${n}`, label: t.includes("label") })));
  const shares = [files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)];
  const workers = shares.map((s) => new Worker(new URL(import.meta.url), { workerData: s }));
  const once = (mode) => Promise.all(workers.map((w) => new Promise((r) => { w.once("message", r); w.postMessage(mode); })));
  const t = { old: [], fused: [], floor: [] };
  await once("old"); await once("fused");
  for (let r = 0; r < Number(process.argv[3] ?? 5); r++) for (const m of ["floor", "old", "fused"]) { const s = performance.now(); await once(m); t[m].push(performance.now() - s); }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(JSON.stringify({ floor: med(t.floor), old: med(t.old), fused: med(t.fused), all: t }));
  await Promise.all(workers.map((w) => w.terminate()));
} else {
  const { gunzipSync } = await import("node:zlib");
  const { readFileSync } = await import("node:fs");
  parentPort.on("message", (mode) => {
    for (const f of workerData) {
      const opts = f.label ? { channel: 0 } : {};
      if (mode === "floor") { gunzipSync(readFileSync(f.path)); continue; }
      if (mode === "old") {
        const v = readNiftiSync(f.path, opts); const r = valueRange(v);
        if (!f.label) normalize(v, { range: r, out: v.data });
      } else {
        const raw = readNiftiRawSync(f.path, opts); const r = valueRangeOf(raw.values);
        columnMajorToRowMajor(raw.values, raw.shape, f.label ? {} : { normalize: r });
      }
    }
    parentPort.postMessage(0);
  });
}
