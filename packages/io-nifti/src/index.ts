// Node entry: the browser-safe bytes core plus path readers/writers using native zlib.
export {
  decodeNiftiHeader,
  decodeNifti,
  DEFAULT_MAX_BYTES,
  encodeNifti,
  isGzip,
  NIFTI_DATATYPE,
} from "./bytes.js";
export type {
  NiftiHeader,
  DecodeNiftiHeaderOptions,
  DecodeNiftiOptions,
  EncodeNiftiOptions,
} from "./bytes.js";
export { readNifti, readNiftiSync, readNiftiHeader } from "./read-nifti.js";
export type { NiftiInput, ReadNiftiOptions, ReadNiftiHeaderOptions } from "./read-nifti.js";
export { writeNifti } from "./write-nifti.js";
export type { WriteNiftiOptions } from "./write-nifti.js";
