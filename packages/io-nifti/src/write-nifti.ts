import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Volume, VolumeData } from "@deepreg-loader/core";
import { encodeNiftiFile } from "./encode-nifti.js";
import type { EncodeNiftiOptions } from "./encode-nifti.js";

const gzip = promisify(zlib.gzip);

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions extends EncodeNiftiOptions {
  /** gzip level for `.nii.gz`, 0..9. Default 6 (zlib's default). */
  compressionLevel?: number;
}

/**
 * Write a row-major volume as `.nii` or, when the path ends in `.gz`, `.nii.gz`
 * ({@link encodeNifti} then native gzip). Float32 by default; what it writes reads back
 * identically with `readNifti` and loads in nibabel (sform code 2, qform code 2 unless the
 * affine has shears).
 *
 * Throws `INVALID_ARGUMENT` (path not ending in `.nii`/`.nii.gz`, bad options or values),
 * `SHAPE`, `WRITE_FAILED` (IO error, with the original in `cause`).
 */
export async function writeNifti(
  path: string,
  volume: Volume | VolumeData,
  options: WriteNiftiOptions = {},
): Promise<void> {
  const lower = path.toLowerCase();
  const gzipped = lower.endsWith(".nii.gz");
  if (!gzipped && !lower.endsWith(".nii")) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", `${path}: expected a path ending in .nii or .nii.gz`, {
      file: path,
    });
  }
  const { compressionLevel = 6, ...encodeOptions } = options;
  const raw = encodeNiftiFile(path, volume, encodeOptions);
  try {
    const bytes = gzipped ? await gzip(raw, { level: compressionLevel }) : raw;
    await writeFile(path, bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeepRegLoaderError("WRITE_FAILED", `${path}: cannot write (${reason})`, { file: path, cause: error });
  }
}
