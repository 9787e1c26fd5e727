import type * as H5wasmNamespace from "h5wasm";
import { quiet } from "./quiet.js";

/** The h5wasm module namespace (`File`, `Dataset`, `Group`, `ready`, ...). */
export type H5wasm = typeof H5wasmNamespace;

/** One wasm instance of h5wasm; `broken` once it trapped (its memory and HDF5's state are suspect). */
export interface H5Instance {
  readonly h5: H5wasm;
  broken: boolean;
}

let loading: Promise<H5Instance> | undefined;
let current: H5Instance | undefined;
/** Instances created so far in this thread; each after the first is a fresh import of h5wasm. */
let created = 0;

/**
 * How many h5wasm instances this thread has started (0: h5wasm was never loaded here). For
 * tests and diagnostics: a file the native reader opens alone starts none.
 */
export function h5wasmInstances(): number {
  return created;
}

async function init(): Promise<H5Instance> {
  if (process.env.DEEPREG_LOADER_TEST_FORBID_H5WASM === "1") {
    // Test hook (not an API): proves a code path never starts h5wasm, in any thread.
    throw new Error("h5wasm is forbidden in this process (DEEPREG_LOADER_TEST_FORBID_H5WASM=1)");
  }
  const n = created++;
  // A query string gives a new module record, hence a new wasm instance (the old one trapped).
  const h5 = (n === 0 ? await import("h5wasm/node") : await import(`${import.meta.resolve("h5wasm/node")}?instance=${n}`)) as H5wasm;
  const module = await h5.ready;
  // Without the throwing handler a missing or non-HDF5 file opens with file_id -1 and a
  // dataset with an unavailable filter reads as garbage (TOOLCHAIN.md).
  quiet(() => module.activate_throwing_error_handler());
  current = { h5, broken: false };
  return current;
}

/**
 * The h5wasm Node build (direct disk access), imported and initialised on first use.
 * Module state is per thread: each `worker_threads` Worker gets its own wasm instance and its
 * own copy of this promise, so importing the package costs nothing until a file is opened.
 * After {@link discardH5wasm} the next call instantiates a fresh one.
 */
export function loadH5wasm(): Promise<H5Instance> {
  if (!loading) {
    loading = init();
    // A failed load is not cached: a later call retries.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/**
 * Marks `instance` as broken after a WebAssembly trap, so that the next {@link loadH5wasm}
 * creates a new instance (files open on the old one refuse further calls). The old
 * instance's memory stays allocated (a module is never unloaded): a trap costs its heap.
 */
export function discardH5wasm(instance: H5Instance): void {
  if (instance.broken) return;
  instance.broken = true;
  if (instance === current) {
    current = undefined;
    loading = undefined;
  }
}
