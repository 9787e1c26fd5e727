// The worker thread of the loader's pool (built to dist/worker.js): reads one volume per
// message, preprocesses it exactly as the main thread would, and transfers the result back.
import { parentPort } from "node:worker_threads";
import { openH5 } from "@deepreg-loader/io-h5";
import type { H5File } from "@deepreg-loader/io-h5";
import { readNiftiSync } from "@deepreg-loader/io-nifti";
import { prepareVolume, withSource } from "./pipeline/prepare-volume.js";
import type { PreparedVolume, VolumeTask } from "./pipeline/prepare-volume.js";
import { serializeError } from "./pipeline/worker-pool.js";
import type { ResultMessage, TaskMessage } from "./pipeline/worker-pool.js";

const port = parentPort;
if (port === null) throw new Error("deepreg-loader's worker.js runs inside a worker thread only");

/** H5 files stay open for the life of the worker (one wasm instance per thread). */
const h5Files = new Map<string, Promise<H5File>>();

async function readRaw(task: VolumeTask) {
  if (task.format === "nifti") return readNiftiSync(task.path);
  let file = h5Files.get(task.path);
  if (file === undefined) {
    file = openH5(task.path);
    h5Files.set(task.path, file);
    file.catch(() => h5Files.delete(task.path));
  }
  return (await file).read(task.key as string);
}

port.on("message", (message: TaskMessage<VolumeTask>) => {
  void (async () => {
    let reply: ResultMessage<PreparedVolume>;
    let transfer: ArrayBuffer[] = [];
    try {
      let raw;
      try {
        raw = await readRaw(message.task);
      } catch (error) {
        throw withSource(error, message.task);
      }
      const result = prepareVolume(raw, message.task);
      reply = { id: message.id, ok: true, result };
      transfer = [result.data.buffer as ArrayBuffer];
    } catch (error) {
      reply = { id: message.id, ok: false, error: serializeError(error) };
    }
    port.postMessage(reply, transfer);
  })();
});
