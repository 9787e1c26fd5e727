// pipeline/worker-url.ts: where the worker script of the loader's pool is (built beside the
// bundle as `dist/worker.js`). One place, for the loader and `check --workers`.

import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { DeepRegLoaderError } from "@deepreg-loader/core";

/** The worker script, built beside this module (`dist/worker.js`). */
export const WORKER_URL = new URL("./worker.js", import.meta.url);

/** The `workerUrl` option as a URL: a `file:` URL or a path (relative to the current directory); default `WORKER_URL`. */
export function resolveWorkerUrl(workerUrl: URL | string | undefined): URL {
  if (workerUrl === undefined) return WORKER_URL;
  if (workerUrl instanceof URL) return workerUrl;
  if (typeof workerUrl === "string" && workerUrl !== "") {
    return /^file:/i.test(workerUrl) ? new URL(workerUrl) : pathToFileURL(resolvePath(workerUrl));
  }
  throw new DeepRegLoaderError(
    "INVALID_ARGUMENT",
    `workerUrl must be a file: URL or a path, found ${JSON.stringify(workerUrl) ?? String(workerUrl)}`,
  );
}
