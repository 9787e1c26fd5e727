// Inflating `.nii.gz` with Node's native zlib (Node entry only).
import { constants as bufferConstants } from "node:buffer";
import zlib from "node:zlib";
import { DeepRegLoaderError } from "@deepreg-loader/core";

/** Largest deflate expansion (zlib's worst case is about 1032:1). */
const MAX_RATIO = 1032;

/**
 * The most bytes a `.nii.gz` may inflate to when its float32 volume fits in `maxBytes`:
 * 8-byte voxels (float64, int64) take twice the float32 size, plus header and extensions.
 * Inflating stops there with `TOO_LARGE` (a gzip bomb never fills memory).
 */
export function maxInflatedBytes(maxBytes: number): number {
  return Math.min(bufferConstants.MAX_LENGTH, 2 * maxBytes + 2 ** 26);
}

/**
 * The gzip size trailer (last 4 bytes: inflated size mod 2^32) when it is plausible, used as
 * zlib's `chunkSize` so the output lands in one buffer; undefined when it is nonsense
 * (shorter than a NIfTI header, beyond deflate's maximum ratio or over the output cap).
 */
export function gzipSizeTrailer(bytes: Uint8Array, maxOutput: number): number | undefined {
  if (bytes.length < 18) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(bytes.length - 4, true);
  if (size < 348 || size > bytes.length * MAX_RATIO || size > maxOutput) return undefined;
  return size;
}

function zlibOptions(bytes: Uint8Array, maxBytes: number): zlib.ZlibOptions {
  const maxOutputLength = maxInflatedBytes(maxBytes);
  const trailer = gzipSizeTrailer(bytes, maxOutputLength);
  // One spare byte lets zlib see the end of the stream without asking for another chunk.
  return trailer === undefined ? { maxOutputLength } : { maxOutputLength, chunkSize: trailer + 1 };
}

/** Inflate a whole gzip stream on the libuv pool; zlib failures become `DeepRegLoaderError`s. */
export function gunzipAsync(bytes: Uint8Array, file: string, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zlib.gunzip(bytes, zlibOptions(bytes, maxBytes), (error, result) => {
      if (error) reject(inflateError(error, file, maxBytes));
      else resolve(result);
    });
  });
}

/** Inflate a whole gzip stream synchronously (for worker threads). */
export function gunzipSyncChecked(bytes: Uint8Array, file: string, maxBytes: number): Uint8Array {
  try {
    return zlib.gunzipSync(bytes, zlibOptions(bytes, maxBytes));
  } catch (error) {
    throw inflateError(error, file, maxBytes);
  }
}

/**
 * Inflate what a prefix of a gzip stream holds (no error when it ends early), for reading a
 * header without inflating the voxels.
 */
export function gunzipPrefix(prefix: Uint8Array, file: string): Uint8Array {
  try {
    return zlib.gunzipSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (error) {
    throw inflateError(error, file, Number.POSITIVE_INFINITY);
  }
}

function inflateError(error: unknown, file: string, maxBytes: number): DeepRegLoaderError {
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === "Z_BUF_ERROR") {
    return new DeepRegLoaderError(
      "TRUNCATED",
      `${file}: the gzip stream ends early (${reason}); the file is truncated`,
      { file, cause: error },
    );
  }
  if (code === "ERR_BUFFER_TOO_LARGE") {
    return new DeepRegLoaderError(
      "TOO_LARGE",
      `${file}: inflates to more than ${maxInflatedBytes(maxBytes)} bytes, more than a volume within maxBytes (${maxBytes}) can take`,
      { file, cause: error, details: { maxBytes } },
    );
  }
  return new DeepRegLoaderError("READ_FAILED", `${file}: invalid gzip data (${reason})`, { file, cause: error });
}
