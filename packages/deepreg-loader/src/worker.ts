// worker.ts: the worker thread of the loader's pool (built to dist/worker.js): reads one volume
// per message, preprocesses it exactly as the main thread would, and transfers the result back;
// an augment task (pipeline/augment-task.ts) warps a sample's volumes instead, and a read task
// with `augment` warps the volume it read.
import { parentPort } from "node:worker_threads";
import { openH5 } from "@deepreg-loader/io-h5";
import type { H5File } from "@deepreg-loader/io-h5";
import { createNiftiReadScratch, readNiftiRawSync } from "@deepreg-loader/io-nifti";
import { answerAugmentTask, isAugmentTask, warpPreparedOf } from "./pipeline/augment-task.js";
import { outFor, prepareRawVolume, prepareVolume, withSource } from "./pipeline/prepare-volume.js";
import type { PreparedVolume, VolumeTask } from "./pipeline/prepare-volume.js";
import { serializeError } from "./pipeline/worker-pool.js";
import type { ReadyMessage, ResultMessage, TaskMessage } from "./pipeline/worker-pool.js";

const port = parentPort;
if (port === null) throw new Error("deepreg-loader's worker.js runs inside a worker thread only");

/**
 * Test hook (not an API): a worker asked to read exactly this path exits with code 70, as a
 * worker killed by the system would, so the crash handling is tested through the real loader.
 */
const EXIT_ON = process.env.DEEPREG_LOADER_TEST_WORKER_EXIT_ON;

/**
 * Benchmark hook (not an API): with `DEEPREG_LOADER_WORKER_GC=1` in a process run with
 * `--expose-gc`, a worker collects its garbage after every task, so a peak-RSS measurement sees
 * what the loader holds rather than inflated bytes a lazy collector has not freed yet (each
 * worker's isolate collects on its own schedule, tens of MiB later).
 */
const COLLECT = process.env.DEEPREG_LOADER_WORKER_GC === "1" ? (globalThis as { gc?: () => void }).gc : undefined;

/**
 * The file bytes and inflated stream of the NIfTI read in progress, re-used by every read of
 * this worker (they never leave it: the prepared volume is a new array, or a recycled one), so
 * only the output is ever fresh memory. A task's raw voxels view it until the next task.
 */
const scratch = createNiftiReadScratch();

/** H5 files stay open for the life of the worker (one wasm instance per thread). */
const h5Files = new Map<string, Promise<H5File>>();

async function readRaw(task: VolumeTask) {
  const options = task.channel === undefined ? {} : { channel: task.channel };
  const maxBytes = task.maxBytes === undefined ? {} : { maxBytes: task.maxBytes };
  if (task.format === "nifti") return readNiftiRawSync(task.path, { ...options, ...maxBytes, scratch });
  let file = h5Files.get(task.path);
  if (file === undefined) {
    // A pool serves one loader (or one check), so every task of a file has the same maxBytes.
    file = openH5(task.path, maxBytes);
    h5Files.set(task.path, file);
    file.catch(() => h5Files.delete(task.path));
  }
  const h5 = await file;
  const out = h5OutFor(h5, task);
  return h5.read(task.key as string, out === undefined ? options : { ...options, out });
}

/**
 * The task's `out` when the H5 read can write into it ({@link outFor} of the shape the read
 * gives: a channel picked from a 4D dataset is 3D), so the prepared volume is `out` itself;
 * otherwise undefined (it goes back as `spare`, or a resize writes it).
 */
function h5OutFor(file: H5File, task: VolumeTask): Float32Array | undefined {
  if (task.out === undefined || task.measure === true) return undefined;
  const shape = file.shape(task.key as string);
  return outFor(task, task.channel !== undefined && shape.length === 4 ? shape.slice(0, 3) : shape);
}

port.on("message", (message: TaskMessage<VolumeTask>) => {
  if (isAugmentTask(message.task)) return answerAugmentTask(port, message as TaskMessage<typeof message.task>);
  void (async () => {
    let reply: ResultMessage<PreparedVolume>;
    let transfer: ArrayBuffer[] = [];
    try {
      let raw;
      if (EXIT_ON !== undefined && message.task.path === EXIT_ON) process.exit(70);
      try {
        raw = await readRaw(message.task);
      } catch (error) {
        throw withSource(error, message.task);
      }
      const prepared = "values" in raw ? prepareRawVolume(raw, message.task) : prepareVolume(raw, message.task);
      const result = message.task.augment === undefined ? prepared : warpPreparedOf(prepared, message.task);
      reply = { id: message.id, ok: true, result };
      transfer = [result.data.buffer as ArrayBuffer, ...(result.planes ?? []).map((p) => p.buffer as ArrayBuffer)];
      // A recycled output buffer that went unused goes back to the loader's pool.
      if (result.spare !== undefined) transfer.push(result.spare.buffer as ArrayBuffer);
    } catch (error) {
      reply = { id: message.id, ok: false, error: serializeError(error) };
    }
    try {
      port.postMessage(reply, transfer);
    } catch (error) {
      // A result that does not transfer must still answer its task (else the task hangs).
      port.postMessage({ id: message.id, ok: false, error: serializeError(withSource(error, message.task)) });
    }
    COLLECT?.();
  })();
});

// Loaded and listening: the pool may now prefer this worker to reading on its own thread.
port.postMessage({ ready: true } satisfies ReadyMessage);
