// pipeline/worker-pool.ts: worker threads that run tasks, crash-safe, closable. May import core.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { ErrorCode } from "@deepreg-loader/core";

/** Message from the pool to a worker. */
export interface TaskMessage<T> {
  id: number;
  task: T;
}

/** An error as plain data (survives `postMessage`). */
export interface SerializedError {
  message: string;
  code?: ErrorCode;
  file?: string;
  details?: Record<string, unknown>;
}

/** Message from a worker to the pool. */
/** What a worker script posts once, when it has loaded and listens for tasks. */
export interface ReadyMessage {
  ready: true;
}

export type ResultMessage<R> = { id: number; ok: true; result: R } | { id: number; ok: false; error: SerializedError };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions<T> {
  /** Number of worker threads (>= 1). */
  size: number;
  /** What a task is about, for errors: `describe(task)` names its file. Default: none. */
  describe?: (task: T) => { label: string; file?: string };
}

/** Buffers to move with a task, or a function that gives them when the task is sent. */
type Transfer<T> = ArrayBuffer[] | ((task: T) => ArrayBuffer[] | undefined) | undefined;

interface Job<T, R> {
  task: T;
  /** Buffers of `task` to transfer to the worker (detached here) rather than copy. */
  transfer: Transfer<T>;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Slot<T, R> {
  worker: Worker;
  job: Job<T, R> | undefined;
  jobId: number;
  dead: boolean;
  /** The worker sent `{ ready: true }`. */
  ready: boolean;
}

/** Turns any thrown value into a `SerializedError` (for the worker side). */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof DeepRegLoaderError) {
    const out: SerializedError = { message: error.message, code: error.code };
    if (error.file !== undefined) out.file = error.file;
    if (error.details !== undefined) {
      try {
        out.details = structuredClone(error.details);
      } catch {
        // details that do not clone are dropped; the message carries the essentials
      }
    }
    return out;
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/**
 * A fixed set of `worker_threads` running one task each at a time from a FIFO queue.
 * The worker script answers `{ id, task }` with `{ id, ok, result | error }` (see
 * `src/worker.ts`); results' buffers are transferred by the worker.
 *
 * - An error thrown by a task rejects that task only: a `DeepRegLoaderError` keeps its code,
 *   anything else becomes `WORKER_FAILED`; both name the task's file.
 * - A worker that crashes or exits rejects its running task with `WORKER_FAILED` (naming the
 *   file) and is replaced, so the pool stays usable; after `2 * size` crashes in a row without a
 *   finished task the pool gives up, rejecting every queued task and closing.
 * - Idle workers do not keep the process alive; busy ones do, so an awaited task always settles.
 * - `close()` terminates the workers and rejects unfinished tasks with `CLOSED`.
 */
export class WorkerPool<T, R> {
  readonly size: number;
  readonly #url: URL;
  readonly #describe: (task: T) => { label: string; file?: string };
  readonly #queue: Job<T, R>[] = [];
  readonly #slots: Slot<T, R>[] = [];
  #nextId = 1;
  #crashesInARow = 0;
  #closed = false;

  constructor(url: URL, options: WorkerPoolOptions<T>) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new DeepRegLoaderError("INVALID_ARGUMENT", `worker pool size must be an integer >= 1, found ${options.size}`);
    }
    if (url.protocol === "file:" && !existsSync(fileURLToPath(url))) {
      throw new DeepRegLoaderError(
        "WORKER_FAILED",
        `worker script ${fileURLToPath(url)} does not exist. The loader starts its worker threads from ` +
          `deepreg-loader's dist/worker.js; if a bundler moved the loader's code, bundle ` +
          `node_modules/deepreg-loader/dist/worker.js as a second entry point named worker.js beside your ` +
          `bundle, or pass createDataLoader(..., { workerUrl }) pointing at that file, or use workers: 0`,
        { file: fileURLToPath(url) },
      );
    }
    this.size = options.size;
    this.#url = url;
    this.#describe = options.describe ?? (() => ({ label: "a task" }));
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn());
  }

  /**
   * Runs `task` on the next free worker; `transfer`: buffers of `task` to move there rather than
   * copy, or a function called as the task is sent that may complete it and returns them.
   */
  run(task: T, transfer?: Transfer<T>): Promise<R> {
    if (this.#closed) return Promise.reject(new DeepRegLoaderError("CLOSED", "the worker pool is closed"));
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ task, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#queue.length + this.#slots.filter((s) => s.job !== undefined).length;
  }

  /** Workers that said they are ready (their script loaded: `{ ready: true }`), alive. */
  get ready(): number {
    return this.#closed ? 0 : this.#slots.filter((s) => s.ready && !s.dead).length;
  }

  /** Worker threads alive (0 once closed). */
  get alive(): number {
    return this.#closed ? 0 : this.#slots.filter((s) => !s.dead).length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Terminates every worker; unfinished tasks reject with `CLOSED`. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closedError = (): DeepRegLoaderError => new DeepRegLoaderError("CLOSED", "the worker pool was closed before the task finished");
    for (const job of this.#queue.splice(0)) job.reject(closedError());
    const terminations: Promise<number>[] = [];
    for (const slot of this.#slots) {
      slot.job?.reject(closedError());
      slot.job = undefined;
      slot.dead = true;
      terminations.push(slot.worker.terminate());
    }
    await Promise.allSettled(terminations);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #spawn(): Slot<T, R> {
    const worker = startWorker(this.#url);
    worker.unref();
    const slot: Slot<T, R> = { worker, job: undefined, jobId: 0, dead: false, ready: false };
    worker.on("message", (message: ResultMessage<R>) => this.#onMessage(slot, message));
    worker.on("error", (error) => this.#onCrash(slot, error));
    worker.on("exit", (code) => this.#onCrash(slot, new Error(`the worker thread exited with code ${code}`)));
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.dead || slot.job !== undefined) continue;
      const job = this.#queue.shift() as Job<T, R>;
      slot.job = job;
      slot.jobId = this.#nextId++;
      slot.worker.ref();
      try {
        const transfer = typeof job.transfer === "function" ? job.transfer(job.task) : job.transfer;
        const message: TaskMessage<T> = { id: slot.jobId, task: job.task };
        slot.worker.postMessage(message, transfer);
      } catch (error) {
        slot.job = undefined;
        slot.worker.unref();
        job.reject(this.#failure(job.task, error));
      }
    }
  }

  #onMessage(slot: Slot<T, R>, message: ResultMessage<R> | ReadyMessage): void {
    if ("ready" in message) {
      slot.ready = true;
      // Node 20 loses an unref() made before the worker is online (an idle worker started by an
      // unclosed loader then kept the process alive): say it again now that it is.
      if (slot.job === undefined) slot.worker.unref();
      return;
    }
    const job = slot.job;
    if (job === undefined || message.id !== slot.jobId) return;
    slot.job = undefined;
    slot.worker.unref();
    this.#crashesInARow = 0;
    if (message.ok) {
      job.resolve(message.result);
    } else {
      const { code, file, details } = message.error;
      job.reject(
        code === undefined
          ? this.#failure(job.task, new Error(message.error.message))
          : new DeepRegLoaderError(code, message.error.message, {
              ...(file === undefined ? {} : { file }),
              ...(details === undefined ? {} : { details }),
            }),
      );
    }
    this.#dispatch();
  }

  #onCrash(slot: Slot<T, R>, error: unknown): void {
    if (slot.dead || this.#closed) return;
    slot.dead = true;
    void slot.worker.terminate().catch(() => undefined);
    const job = slot.job;
    slot.job = undefined;
    if (job !== undefined) job.reject(this.#failure(job.task, error));
    this.#crashesInARow += 1;
    if (this.#crashesInARow > 2 * this.size) {
      const queued = this.#queue.splice(0);
      for (const next of queued) {
        next.reject(
          new DeepRegLoaderError("WORKER_FAILED", `worker threads keep failing (${this.#crashesInARow} in a row); last: ${messageOf(error)}`, {
            cause: error,
          }),
        );
      }
      void this.close();
      return;
    }
    const index = this.#slots.indexOf(slot);
    this.#slots[index] = this.#spawn();
    this.#dispatch();
  }

  #failure(task: T, error: unknown): DeepRegLoaderError {
    const { label, file } = this.#describe(task);
    return new DeepRegLoaderError("WORKER_FAILED", `a worker thread failed on ${label}: ${messageOf(error)}`, {
      ...(file === undefined ? {} : { file }),
      cause: error,
    });
  }
}

/**
 * A worker running `url` with the parent's Node options. They are inherited (Node's default)
 * unless they hold `--input-type`: a worker inheriting it from `node --input-type=module -e ...`
 * fails to load its script file (ERR_INPUT_TYPE_NOT_ALLOWED), so the options are then passed
 * without it. An explicit list refuses V8 and per-process options (`--max-old-space-size`,
 * `--expose-gc`: ERR_WORKER_INVALID_EXEC_ARGV) that inheriting accepts; with both, the worker gets
 * no options (V8 flags are process-wide anyway).
 */
function startWorker(url: URL): Worker {
  const args = process.execArgv;
  if (!args.some((a) => a === "--input-type" || a.startsWith("--input-type="))) return new Worker(url);
  const execArgv: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--input-type") i++;
    else if (!arg.startsWith("--input-type=")) execArgv.push(arg);
  }
  try {
    return new Worker(url, { execArgv });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw error;
    return new Worker(url, { execArgv: [] });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
