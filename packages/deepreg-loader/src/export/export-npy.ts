// export/export-npy.ts: `.npy` encoding (format 1.0, float32, C order). The export/ folder
// owns writing samples to files; it may import core and export/ (a loader comes in as an argument).
import { writeFile } from "node:fs/promises";
import { DeepRegLoaderError } from "@deepreg-loader/core";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const PREAMBLE_BYTES = 10; // magic (6) + version (2) + header length (2)
const ALIGN = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The shape as a Python tuple: `(16, 16, 16)`, `(5,)`, `()`. */
function pythonTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/**
 * Encodes a row-major float32 array as a `.npy` file (format version 1.0): dtype `<f4`,
 * `fortran_order: False`, the header padded with spaces and ended by a newline so the data
 * starts at a multiple of 64 bytes. `np.load` returns an array of `shape` equal to `data`.
 * Throws `SHAPE` when `data.length` is not the product of `shape`.
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((n, d) => n * d, 1);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || size !== data.length) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `cannot write ${data.length} values as a .npy array of shape [${shape.join(", ")}]`,
    );
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  const unpadded = PREAMBLE_BYTES + dict.length + 1; // + "\n"
  const headerLength = dict.length + 1 + ((ALIGN - (unpadded % ALIGN)) % ALIGN);
  const out = new Uint8Array(PREAMBLE_BYTES + headerLength + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  const view = new DataView(out.buffer);
  view.setUint16(8, headerLength, true);
  const header = dict.padEnd(headerLength - 1, " ") + "\n";
  for (let i = 0; i < header.length; i++) out[PREAMBLE_BYTES + i] = header.charCodeAt(i);
  const dataOffset = PREAMBLE_BYTES + headerLength;
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataOffset);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(dataOffset + i * 4, data[i]!, true);
  }
  return out;
}

/** Writes `data` of `shape` to `path` as `.npy` (see `encodeNpy`); throws `WRITE_FAILED` naming the file. */
export async function writeNpy(
  path: string,
  data: Float32Array,
  shape: readonly number[],
): Promise<void> {
  const bytes = encodeNpy(data, shape);
  try {
    await writeFile(path, bytes);
  } catch (cause) {
    throw new DeepRegLoaderError(
      "WRITE_FAILED",
      `cannot write ${path}: ${(cause as Error).message}`,
      { file: path, cause },
    );
  }
}
