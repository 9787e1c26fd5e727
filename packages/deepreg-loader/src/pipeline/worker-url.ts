// pipeline/worker-url.ts: where the worker script of the loader's pool is (built beside the
// bundle as `dist/worker.js`). One place, for the loader and `check --workers`.

/** The worker script, built beside this module (`dist/worker.js`). */
export const WORKER_URL = new URL("./worker.js", import.meta.url);
