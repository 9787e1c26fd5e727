// loader/volume-source.ts: where a sample's volumes come from: the LRU cache, a read already
// in flight (dedupe), or a new read (main thread or the worker pool), and which iteration
// holds which workers. Counts what it does (stats). May import core, config (types),
// pipeline/ and loader/file-loaders.
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { createNiftiReadScratch } from "@deepreg-loader/io-nifti";
import type { NiftiReadScratch } from "@deepreg-loader/io-nifti";
import type { AugmentationRecord } from "@deepreg-loader/core";
import type { Shape3 } from "@deepreg-loader/config";
import { BufferPool } from "../pipeline/buffer-pool.js";
import { LruCache } from "../pipeline/lru-cache.js";
import { describeSource, prepareRawVolume, prepareVolume, withSource } from "../pipeline/prepare-volume.js";
import type { PreparedVolume, VolumeKind, VolumeTask } from "../pipeline/prepare-volume.js";
import { WorkerPool } from "../pipeline/worker-pool.js";
import { WORKER_URL } from "../pipeline/worker-url.js";
import type { FormatFileLoader } from "./file-loaders.js";
import { warpPreparedOf } from "../pipeline/augment-task.js";

/** A read of one volume: `shared` turns true when the cache or a second request also gets it. */
export interface VolumeRead {
  promise: Promise<PreparedVolume>;
  shared: boolean;
}

export type Pool = WorkerPool<VolumeTask, PreparedVolume>;

/** What one running iteration holds: its workers and its reads in flight. */
export interface ReadContext {
  pool: Pool | null;
  /** Set by `close()`: the iteration fails with `CLOSED` at its next step. */
  closed: boolean;
  inflight: Map<string, VolumeRead>;
  /** Cleared when the iteration ends (the stream's pair bookkeeping). */
  onEnd: (() => void)[];
  /**
   * Set by {@link VolumeSource.startWorkersSoon}: settles once the workers are started (a
   * macrotask later); reads issued meanwhile wait for it and go to the workers.
   */
  starting?: Promise<void>;
}

/** Reads, caches and counts preprocessed volumes for the iterations of one loader. */
export class VolumeSource {
  readonly #workers: number;
  readonly #cache: LruCache<PreparedVolume> | null;
  readonly #contexts = new Set<ReadContext>();
  /** Workers of an iteration that ran to its end, for the next one; terminated by `close()`. */
  #idlePool: Pool | null = null;
  #closed = false;
  /** Arrays handed back by `loader.recycle`, written again by later reads (and copies). */
  readonly buffers: BufferPool;
  /**
   * File-byte and inflate buffers of NIfTI reads on this thread, free for the next read (a read
   * takes one for its duration, so reads in flight at once never share one); at most
   * {@link MAX_FREE_SCRATCH} kept.
   */
  readonly #scratch: NiftiReadScratch[] = [];
  decodes = 0;
  decodedBytes = 0;
  hits = 0;
  misses = 0;

  readonly #workerUrl: URL;


  /**
   * `background`: an iteration starts its workers only when {@link VolumeSource.startWorkers} is
   * called (the stream calls it once its first sample is out), so they do not take the cores
   * from the first sample; reads started before that run on the calling thread, later ones go to
   * the workers (queued while they load). Otherwise `open()` starts the workers and every read
   * goes to them.
   */
  constructor(
    workers: number,
    cacheBytes: number,
    workerUrl: URL = WORKER_URL,
    options: { background?: boolean; maxRecycled?: number } = {},
  ) {
    this.#workers = workers;
    this.buffers = new BufferPool(options.maxRecycled ?? 16);
    this.#workerUrl = workerUrl;
    this.#cache = cacheBytes > 0 ? new LruCache(cacheBytes) : null;
    this.#background = options.background === true && workers > 0;
  }

  readonly #background: boolean;

  #newPool(): Pool {
    return new WorkerPool<VolumeTask, PreparedVolume>(this.#workerUrl, {
      size: this.#workers,
      describe: (task) => ({ label: describeSource(task), file: task.path }),
    });
  }

  get cached(): boolean {
    return this.#cache !== null;
  }

  stats(): { cacheBytes: number; cacheEntries: number; cacheEvictions: number; activeWorkers: number; idleWorkers: number; activeStreams: number } {
    let activeWorkers = 0;
    for (const ctx of this.#contexts) activeWorkers += ctx.pool?.alive ?? 0;
    return {
      cacheBytes: this.#cache?.bytes ?? 0,
      cacheEntries: this.#cache?.size ?? 0,
      cacheEvictions: this.#cache?.evictions ?? 0,
      activeWorkers,
      idleWorkers: this.#idlePool?.alive ?? 0,
      activeStreams: this.#contexts.size,
    };
  }

  /**
   * A new iteration's context: the idle workers of a finished iteration, or new ones (in the
   * `background` mode, none until {@link VolumeSource.startWorkers}).
   */
  open(): ReadContext {
    let pool: Pool | null = null;
    if (this.#workers > 0) {
      pool = this.#takeIdlePool();
      if (pool === null && !this.#background) pool = this.#newPool();
    }
    const ctx: ReadContext = { pool, closed: false, inflight: new Map(), onEnd: [] };
    this.#contexts.add(ctx);
    return ctx;
  }

  /** Starts the workers of `ctx` if it has none yet (`background` mode); idempotent. */
  startWorkers(ctx: ReadContext): void {
    if (this.#workers === 0 || ctx.pool !== null || ctx.closed || this.#closed || !this.#contexts.has(ctx)) return;
    ctx.pool = this.#takeIdlePool() ?? this.#newPool();
  }

  /**
   * {@link VolumeSource.startWorkers} a macrotask from now (after the consumer has the first
   * sample: creating workers takes this thread a while), when `ctx` still has workers to start;
   * nothing otherwise. Reads issued before then wait for the start and go to the workers (when
   * they ran on this thread instead, a large epoch at auto took 1.3-1.7x workers 2;
   * docs/decisions.md).
   */
  startWorkersSoon(ctx: ReadContext): void {
    if (this.#workers === 0 || ctx.pool !== null || ctx.starting !== undefined) return;
    ctx.starting = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.startWorkers(ctx);
        resolve();
      }),
    );
  }

  #takeIdlePool(): Pool | null {
    const pool = this.#idlePool;
    this.#idlePool = null;
    return pool === null || pool.closed ? null : pool;
  }

  /**
   * Ends an iteration. `finished` (it ran to its end, nothing in flight): its workers are kept
   * for the next iteration when none are kept yet. Otherwise (break, error, close) they
   * terminate, which also drops the read-ahead still running.
   */
  async end(ctx: ReadContext, finished: boolean): Promise<void> {
    if (!this.#contexts.delete(ctx)) return;
    for (const f of ctx.onEnd) f();
    ctx.inflight.clear();
    const pool = ctx.pool;
    if (pool === null) return;
    if (finished && !this.#closed && this.#idlePool === null && !pool.closed && pool.pending === 0) {
      this.#idlePool = pool;
      return;
    }
    await pool.close();
  }

  /** Marks every iteration closed, terminates every worker, empties the cache. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const ctx of this.#contexts) ctx.closed = true;
    const idle = this.#idlePool;
    this.#idlePool = null;
    await Promise.allSettled([...[...this.#contexts].map((ctx) => this.end(ctx, false)), idle?.close()]);
    this.#cache?.clear();
    this.buffers.clear();
    this.#scratch.length = 0;
  }

  /**
   * Runs a main-thread read with a scratch of its own (a free one, else a new one), given back
   * when it is done: the raw voxels view it only until `use` has prepared them (prepared volumes
   * are new or recycled arrays, never views of the read), so later reads page in no fresh memory
   * for file bytes and inflated streams, as in the workers (worker.ts).
   */
  async #withScratch<T>(use: (scratch: NiftiReadScratch) => Promise<T>): Promise<T> {
    const scratch = this.#scratch.pop() ?? createNiftiReadScratch();
    try {
      return await use(scratch);
    } finally {
      if (!this.#closed && this.#scratch.length < MAX_FREE_SCRATCH) this.#scratch.push(scratch);
    }
  }

  /**
   * A read of one preprocessed volume: from the cache, joining a read in flight, or a new read.
   * `augment` (records of the volume's side, for a volume that only one sample uses): a new read
   * warped by them in the same task (pipeline/augment-task.ts), neither cached nor shared.
   */
  volume(
    kind: VolumeKind,
    loader: FormatFileLoader,
    index: number,
    shape: Shape3,
    channel: number | undefined,
    ctx: ReadContext,
    augment?: AugmentationRecord[],
  ): VolumeRead {
    const source = loader.source(index);
    const key = `${kind}|${source.path}|${source.key ?? ""}|${shape.join(",")}${channel === undefined ? "" : `|c${channel}`}`;
    const fused = augment !== undefined && augment.length > 0;
    if (this.#cache !== null && !fused) {
      const hit = this.#cache.get(key);
      if (hit !== undefined) {
        this.hits += 1;
        return { promise: Promise.resolve(hit), shared: true };
      }
      this.misses += 1;
    }
    const pending = fused ? undefined : ctx.inflight.get(key);
    if (pending !== undefined) {
      pending.shared = true;
      return pending;
    }
    const task: VolumeTask = { kind, format: loader.format, path: source.path, shape: [shape[0], shape[1], shape[2]] };
    if (source.key !== undefined) task.key = source.key;
    if (channel !== undefined) task.channel = channel;
    // A fused read is warped as one (channel-last) volume; planes serve shared whole labels.
    else if (kind === "label" && !fused) task.planes = true;
    if (loader.maxBytes !== undefined) task.maxBytes = loader.maxBytes;
    if (fused) task.augment = augment;
    this.decodes += 1;
    // The output goes into a recycled array when one of its size is free (images, one label channel).
    const outLength = kind === "image" || channel !== undefined ? shape[0] * shape[1] * shape[2] : 0;
    let fresh = false;
    const read = async (): Promise<PreparedVolume> => {
      const out = outLength > 0 ? this.buffers.take(outLength) : undefined;
      if (out !== undefined) task.out = out;
      if (ctx.pool === null && ctx.starting !== undefined) await ctx.starting;
      const pool = ctx.pool;
      // In the background mode, reads started before the iteration's workers (its first sample)
      // run on the calling thread; every later read goes to the workers, queued while they load.
      // (Reading on this thread until a worker is ready kept it decoding while they started,
      // and at 2 cores most of a large epoch stayed there: auto 1.74x workers 2, docs/decisions.md.)
      if (pool !== null) {
        // The output array moves to the worker with the task: a recycled one, else one allocated
        // here as the task is sent, on the thread that frees it (allocated in a worker, it was
        // freed into that worker's malloc arena, whose holes made peak memory grow with the
        // epoch's length, and it missed glibc's huge pages; docs/decisions.md).
        const transfer = (): ArrayBuffer[] | undefined => {
          if (task.out === undefined && outLength > 0) {
            task.out = uninitialized(outLength);
            fresh = true;
          }
          return task.out === undefined ? undefined : [task.out.buffer as ArrayBuffer];
        };
        return pool.run(task, transfer).catch((error: unknown) => {
          throw withSource(error, task);
        });
      }
      const options = channel === undefined ? {} : { channel };
      const prepared = loader.readRaw !== undefined
        ? await this.#withScratch(async (scratch) => prepareRawVolume(await loader.readRaw!(index, { ...options, scratch }), task))
        : prepareVolume(await loader.read(index, options), task);
      return fused ? warpPreparedOf(prepared, task, this.buffers) : prepared;
    };
    const promise = read().then(({ spare, reused, ...volume }) => {
      if (spare !== undefined) this.buffers.give(spare.buffer as ArrayBuffer);
      if (reused === true && !fresh) this.buffers.noteReused();
      this.decodedBytes += 4 * volume.rawShape.reduce((a, b) => a * b, 1);
      if (!this.#closed && !fused) this.#cache?.set(key, volume, preparedBytes(volume));
      return volume;
    });
    const entry: VolumeRead = { promise, shared: this.#cache !== null && !fused };
    if (fused) return entry;
    ctx.inflight.set(key, entry);
    // Registered before any caller's reaction, so no request joins a read once it has settled.
    const forget = (): void => {
      if (ctx.inflight.get(key) === entry) ctx.inflight.delete(key);
    };
    promise.then(forget, forget);
    return entry;
  }
}

/**
 * A `Float32Array` of `length` values whose memory is not zeroed (a zeroed one costs this thread
 * a pass over it when the C library takes it from its heap: 5 ms per 23 MiB volume, measured).
 * For task outputs only: every read overwrites its `out` whole, as it does a recycled array.
 */
function uninitialized(length: number): Float32Array {
  return new Float32Array(Buffer.allocUnsafeSlow(4 * length).buffer, 0, length);
}

/** Free read scratches a loader keeps for its main-thread reads (a read in flight holds one more). */
const MAX_FREE_SCRATCH = 4;

/** Bytes of a preprocessed volume's arrays. */
function preparedBytes(volume: PreparedVolume): number {
  let bytes = volume.data.byteLength;
  for (const plane of volume.planes ?? []) bytes += plane.byteLength;
  return bytes;
}

/** `CLOSED` for an iteration of a loader that was closed. */
export function closedDuringIteration(split: string): DeepRegLoaderError {
  return new DeepRegLoaderError("CLOSED", `the ${split} loader was closed during the iteration`);
}
