import type * as H5wasmNamespace from "h5wasm";

/** The h5wasm module namespace (`File`, `Dataset`, `Group`, `ready`, ...). */
export type H5wasm = typeof H5wasmNamespace;

let loading: Promise<H5wasm> | undefined;

async function init(): Promise<H5wasm> {
  const h5wasm = (await import("h5wasm/node")) as H5wasm;
  const module = await h5wasm.ready;
  // Without the throwing handler a missing or non-HDF5 file opens with file_id -1 and a
  // dataset with an unavailable filter reads as garbage (TOOLCHAIN.md).
  module.activate_throwing_error_handler();
  return h5wasm;
}

/**
 * The h5wasm Node build (direct disk access), imported and initialised on first use.
 * Module state is per thread: each `worker_threads` Worker gets its own wasm instance and its
 * own copy of this promise, so importing the package costs nothing until a file is opened.
 */
export function loadH5wasm(): Promise<H5wasm> {
  if (!loading) {
    loading = init();
    // A failed load is not cached: a later call retries.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
