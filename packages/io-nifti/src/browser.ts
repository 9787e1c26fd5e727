// Browser entry (`browser` export condition of `@deepreg-loader/io-nifti`): everything of the
// `bytes` entry plus `readNifti` / `readNiftiHeader` over web inputs (an `ArrayBuffer`, a typed
// array, a `Blob`/`File` or a fetch `Response`), gzip inflated with the platform's
// `DecompressionStream`. No Node APIs, no generated code (strict CSP safe).
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { DEFAULT_MAX_BYTES, decodeNifti } from "./decode-nifti.js";
import type { DecodeNiftiOptions } from "./decode-nifti.js";
import { isGzip } from "./gzip-magic.js";
import { decodeNiftiHeader } from "./nifti-header.js";
import type { NiftiHeader } from "./nifti-header.js";

export * from "./bytes.js";

/** What the browser `readNifti` reads: a file's bytes, a `Blob`/`File`, or a fetch `Response`. */
export type NiftiWebInput = ArrayBuffer | ArrayBufferView | Blob | Response;

/**
 * Reads a NIfTI-1/2 volume (`.nii` or `.nii.gz`, gzip sniffed from the bytes) in a browser:
 * row-major float32, nibabel's shape and values, like the Node entry's `readNifti`.
 * Inflating stops at `2 * maxBytes + 64 MiB` (`TOO_LARGE`); invalid gzip is `READ_FAILED`.
 *
 * @example
 * ```ts
 * import { readNifti } from "@deepreg-loader/io-nifti"; // the `browser` condition picks this entry
 *
 * const volume = await readNifti(await fetch("/data/image.nii.gz"), { file: "image.nii.gz" });
 * console.log(volume.shape, volume.data.constructor.name); // e.g. [ 16, 16, 16 ] Float32Array
 * ```
 */
export async function readNifti(input: NiftiWebInput, options: DecodeNiftiOptions = {}): Promise<Volume> {
  const bytes = await webBytes(input, options.maxBytes ?? DEFAULT_MAX_BYTES, options.file);
  return decodeNifti(bytes, options);
}

/** The header of a NIfTI-1/2 web input (the whole input is read and inflated). */
export async function readNiftiHeader(input: NiftiWebInput, options: { file?: string } = {}): Promise<NiftiHeader> {
  const bytes = await webBytes(input, DEFAULT_MAX_BYTES, options.file);
  return decodeNiftiHeader(bytes, options);
}

async function webBytes(input: NiftiWebInput, maxBytes: number, file = "<bytes>"): Promise<Uint8Array> {
  const raw = await rawBytes(input);
  if (!isGzip(raw)) return raw;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  const limit = 2 * maxBytes + 2 ** 26;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw new DeepRegLoaderError("TOO_LARGE", `${file}: inflates to more than ${limit} bytes`, { file });
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof DeepRegLoaderError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeepRegLoaderError("READ_FAILED", `${file}: invalid gzip data (${reason})`, { file, cause: error });
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

async function rawBytes(input: NiftiWebInput): Promise<Uint8Array> {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (typeof Blob !== "undefined" && input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  if (typeof Response !== "undefined" && input instanceof Response) return new Uint8Array(await input.arrayBuffer());
  throw new DeepRegLoaderError("INVALID_ARGUMENT", "readNifti (browser) takes an ArrayBuffer, a typed array, a Blob or a Response");
}
