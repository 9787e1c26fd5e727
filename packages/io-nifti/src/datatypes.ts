import type { DType } from "@deepreg-loader/core";

/** NIfTI `datatype` codes of the dtypes we decode and encode. */
export const NIFTI_DATATYPE: Readonly<Record<DType, number>> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
  int64: 1024,
  uint64: 1280,
};

const BY_CODE = new Map<number, DType>(
  Object.entries(NIFTI_DATATYPE).map(([dtype, code]) => [code, dtype as DType]),
);

/** Names of the NIfTI datatypes we know but do not decode (for error messages). */
const UNSUPPORTED: ReadonlyMap<number, string> = new Map([
  [0, "unknown (0)"],
  [1, "binary (1)"],
  [32, "complex64 (32)"],
  [128, "RGB24 (128)"],
  [1536, "float128 (1536)"],
  [1792, "complex128 (1792)"],
  [2048, "complex256 (2048)"],
  [2304, "RGBA32 (2304)"],
]);

/** The dtype of a NIfTI `datatype` code, or undefined when we do not decode it. */
export function dtypeOfCode(code: number): DType | undefined {
  return BY_CODE.get(code);
}

/** Human name of a datatype code we do not decode, e.g. `complex64 (32)`. */
export function unsupportedDatatypeName(code: number): string {
  return UNSUPPORTED.get(code) ?? `unknown datatype code ${code}`;
}
