export { openH5, DEFAULT_SLAB_BYTES } from "./open-h5.js";
export type { H5File, H5ReadOptions, OpenH5Options } from "./open-h5.js";
export { writeH5 } from "./write-h5.js";
export type { WriteH5Options, H5ArrayEntry, H5TypedArray } from "./write-h5.js";
export { h5wasmInstances } from "./h5wasm.js";
