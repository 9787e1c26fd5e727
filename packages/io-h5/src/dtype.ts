import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { DType } from "@deepreg-loader/core";
import type { Metadata } from "h5wasm";

/** HDF5 type classes (H5T_class_t), for messages. */
const TYPE_CLASSES = [
  "integer",
  "float",
  "time",
  "string",
  "bitfield",
  "opaque",
  "compound",
  "reference",
  "enum (h5py stores bool as enum)",
  "variable-length",
  "array",
];

const INTEGER = 0;
const FLOAT = 1;

/**
 * The numpy dtype name of a dataset from its h5wasm metadata (byte order aside: h5wasm
 * converts big-endian to native order). Anything other than 8-64 bit integers and
 * float32/float64 is `UNSUPPORTED_DTYPE`.
 */
export function dtypeOf(metadata: Pick<Metadata, "type" | "size" | "signed">, file: string, key: string): DType {
  const { type, size, signed } = metadata;
  if (type === INTEGER && (size === 1 || size === 2 || size === 4 || size === 8)) {
    return `${signed ? "int" : "uint"}${size * 8}` as DType;
  }
  if (type === FLOAT && (size === 4 || size === 8)) {
    return `float${size * 8}` as DType;
  }
  const found = type === INTEGER || type === FLOAT ? `${TYPE_CLASSES[type]} of ${size * 8} bits` : (TYPE_CLASSES[type] ?? `HDF5 type class ${type}`);
  throw new DeepRegLoaderError(
    "UNSUPPORTED_DTYPE",
    `${file}: dataset "${key}" has type ${found}; expected a numeric type (uint8/int8 ... uint64/int64, float32, float64)`,
    { file, details: { key, typeClass: type, size } },
  );
}
