// Node entry: the browser-safe bytes core plus path readers/writers using native zlib.
export {
  decodeNiftiHeader,
  decodeNifti,
  decodeNiftiRaw,
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
  RawNiftiVoxels,
} from "./bytes.js";
export { createNiftiReadScratch, readNifti, readNiftiSync, readNiftiHeader, readNiftiRaw, readNiftiRawSync } from "./read-nifti.js";
export type { NiftiInput, NiftiReadScratch, ReadNiftiOptions, ReadNiftiHeaderOptions } from "./read-nifti.js";
export { writeNifti } from "./write-nifti.js";
export type { WriteNiftiOptions } from "./write-nifti.js";
