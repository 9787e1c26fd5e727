import { Worker } from "node:worker_threads";
const url = new URL("../../packages/deepreg-loader/dist/worker.js", import.meta.url);
const t = performance.now();
const ws = [new Worker(url), new Worker(url)];
await Promise.all(ws.map((w) => new Promise((r) => w.on("message", (m) => { if (m.ready) { console.log("ready", (performance.now() - t).toFixed(0)); r(); } }))));
await Promise.all(ws.map((w) => w.terminate()));
