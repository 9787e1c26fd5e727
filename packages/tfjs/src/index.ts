// @deepreg-loader/tfjs: a deepreg-loader loader as a TensorFlow.js tf.data.Dataset.
export { toDataset, batchToTensors } from "./to-dataset.js";
export type { BatchSource, BatchTensors, ToDatasetOptions } from "./to-dataset.js";
