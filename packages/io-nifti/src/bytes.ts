// Browser-safe entry (`@deepreg-loader/io-nifti/bytes`): bytes in, volumes out, no Node APIs.
export { decodeNiftiHeader } from "./nifti-header.js";
export type { NiftiHeader, DecodeNiftiHeaderOptions } from "./nifti-header.js";
export { decodeNifti, decodeNiftiRaw, DEFAULT_MAX_BYTES } from "./decode-nifti.js";
export type { DecodeNiftiOptions, RawNiftiVoxels } from "./decode-nifti.js";
export { encodeNifti } from "./encode-nifti.js";
export type { EncodeNiftiOptions } from "./encode-nifti.js";
export { isGzip } from "./gzip-magic.js";
export { NIFTI_DATATYPE } from "./datatypes.js";
