import { createDataLoader } from "deepreg-loader";
const root = process.argv[2]; const workers = process.argv[3] === "auto" ? "auto" : Number(process.argv[3] ?? 2);
const fmt = process.argv[4] ?? "nifti";
const dataset = { train: { dir: [root], format: fmt, labeled: true }, type: "paired",
  moving_image_shape: JSON.parse(process.argv[5]), fixed_image_shape: JSON.parse(process.argv[5]) };
const t0 = performance.now();
const loader = await createDataLoader(dataset, "train", { seed: 1, workers, cacheBytes: 0 });
const t1 = performance.now();
let n = 0; let first;
for await (const s of loader.samples({ epoch: 0 })) { n++; if (first === undefined) first = performance.now() - t1; }
const t2 = performance.now();
await loader.close();
console.log(JSON.stringify({ open: t1 - t0, epoch: t2 - t1, first, n }));
