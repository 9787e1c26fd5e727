import { printedBy } from "./quiet.js";

/**
 * The innermost message of an h5wasm error. With the throwing error handler, HDF5 errors
 * arrive as the whole diagnostic stack (`#000: ... in H5Fopen(): unable to open file`,
 * `#006: ... in H5F__super_read(): truncated file: eof = 100, ...`); the last entry says
 * what actually went wrong.
 */
export function hdf5ErrorSummary(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const entries = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)$/gm)];
  const last = entries.at(-1)?.[1];
  const summary = (last ?? text.split("\n")[0] ?? "").trim();
  const printed = printedBy(error).split("\n")[0]?.trim() ?? "";
  const shown = printed.length > 200 ? `${printed.slice(0, 200)}...` : printed;
  return shown === "" ? summary : `${summary} (h5wasm: ${shown})`;
}

/** True when HDF5 reported a file shorter than its superblock says (`File has been truncated`). */
export function isTruncationError(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /truncated file|File has been truncated/.test(text);
}

/** True when HDF5 found no superblock signature. */
export function isSignatureError(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /file signature not found|Not an HDF5 file/.test(text);
}
