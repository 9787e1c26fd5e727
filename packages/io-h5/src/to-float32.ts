import { bigintToFloat32 } from "@deepreg-loader/core";

/** Typed arrays h5wasm returns for numeric datasets. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

const TWO_POW_32 = 4294967296;
/** |high word| below this means the 64-bit integer is below 2^53: exact as a double. */
const EXACT_HIGH = 2 ** 21;

function copy64(source: BigInt64Array | BigUint64Array, target: Float32Array, offset: number): void {
  const words = new Uint32Array(source.buffer, source.byteOffset, source.length * 2);
  const signed = source instanceof BigInt64Array;
  for (let i = 0; i < source.length; i++) {
    const low = words[2 * i] as number;
    const high = signed ? (words[2 * i + 1] as number) | 0 : (words[2 * i + 1] as number);
    target[offset + i] =
      high < EXACT_HIGH && high > -EXACT_HIGH ? high * TWO_POW_32 + low : bigintToFloat32(source[i] as bigint);
  }
}

/**
 * Writes `source` converted to float32 into `target` from `offset`, value for value as
 * `np.asarray(x, dtype=np.float32)`: integers and float64 round to nearest (ties to even),
 * float64 beyond the float32 range becomes +-Infinity.
 */
export function copyToFloat32(source: NumericArray, target: Float32Array, offset: number): void {
  if (source instanceof BigInt64Array || source instanceof BigUint64Array) {
    copy64(source, target, offset);
  } else {
    target.set(source, offset);
  }
}
