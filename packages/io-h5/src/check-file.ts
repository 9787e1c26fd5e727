import { open, stat } from "node:fs/promises";
import { DeepRegLoaderError } from "@deepreg-loader/core";

/** The 8-byte HDF5 superblock signature. */
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Checks that `file` exists, is a non-empty regular file and starts like HDF5, before h5wasm
 * sees it, so each failure gets its own code: `NOT_FOUND`, `EMPTY`, `NOT_HDF5` (no signature
 * at 0, 512, 1024, ... as HDF5 searches), `TRUNCATED` (the file is a strict prefix of the
 * signature), `READ_FAILED` (a directory, no permission, ...).
 */
export async function checkH5File(file: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      throw new DeepRegLoaderError("READ_FAILED", `${file}: expected an HDF5 file, found a directory or special file`, { file });
    }
    size = info.size;
  } catch (error) {
    if (error instanceof DeepRegLoaderError) throw error;
    if (errnoCode(error) === "ENOENT") {
      throw new DeepRegLoaderError("NOT_FOUND", `${file}: no such HDF5 file`, { file, cause: error });
    }
    throw new DeepRegLoaderError("READ_FAILED", `${file}: cannot stat the file (${errnoCode(error) ?? String(error)})`, { file, cause: error });
  }
  if (size === 0) {
    throw new DeepRegLoaderError("EMPTY", `${file}: the file is empty (0 bytes), expected HDF5`, { file });
  }

  let head: Buffer;
  let found: boolean;
  try {
    ({ head, found } = await findSignature(file, size));
  } catch (error) {
    throw new DeepRegLoaderError("READ_FAILED", `${file}: cannot read the file (${errnoCode(error) ?? String(error)})`, { file, cause: error });
  }
  if (found) return;
  if (head.length < SIGNATURE.length && head.equals(SIGNATURE.subarray(0, head.length))) {
    throw new DeepRegLoaderError("TRUNCATED", `${file}: the file ends after ${size} bytes, inside the HDF5 signature`, { file });
  }
  const hex = head.toString("hex").replace(/(..)(?!$)/g, "$1 ");
  throw new DeepRegLoaderError(
    "NOT_HDF5",
    `${file}: not an HDF5 file: no signature 89 48 44 46 0d 0a 1a 0a at offset 0, 512, 1024, ...; it starts with ${hex}`,
    { file },
  );
}

/** Looks for the signature where HDF5 does (offset 0, then 512 doubling); returns the first bytes too. */
async function findSignature(file: string, size: number): Promise<{ head: Buffer; found: boolean }> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(SIGNATURE.length);
    let head = Buffer.alloc(0);
    for (let offset = 0; offset < size; offset = offset === 0 ? 512 : offset * 2) {
      const { bytesRead } = await handle.read(buffer, 0, SIGNATURE.length, offset);
      if (offset === 0) head = Buffer.from(buffer.subarray(0, bytesRead));
      if (bytesRead === SIGNATURE.length && buffer.equals(SIGNATURE)) return { head, found: true };
    }
    return { head, found: false };
  } finally {
    await handle.close();
  }
}
