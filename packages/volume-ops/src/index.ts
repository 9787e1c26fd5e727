export { columnMajorToRowMajor } from "./column-major.js";
export type { ColumnMajorToRowMajorOptions } from "./column-major.js";
export { EPS, normalize } from "./normalize.js";
export { valueRange } from "./value-range.js";
export type { ValueRange } from "./value-range.js";
export { resize } from "./resize.js";
export { takeChannel } from "./take-channel.js";
export { stackVolumes } from "./stack-volumes.js";
export { describe } from "./describe.js";
