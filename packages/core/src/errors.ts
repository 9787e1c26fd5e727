/**
 * The closed set of error codes. Every failure of a deepreg-loader package is a
 * `DeepRegLoaderError` with one of these codes; add a code here rather than throwing
 * a plain `Error`.
 */
export type ErrorCode =
  /** A file or directory does not exist. */
  | "NOT_FOUND"
  /** A file has zero bytes, or a folder holds no data files. */
  | "EMPTY"
  /** The bytes are not a NIfTI-1/2 image. */
  | "NOT_NIFTI"
  /** The file is not HDF5. */
  | "NOT_HDF5"
  /** The file ends before the header or the voxel data it declares. */
  | "TRUNCATED"
  /** A header field is impossible (negative or zero dims, bad vox_offset, ...). */
  | "BAD_HEADER"
  /** The volume would be larger than we are willing to allocate. */
  | "TOO_LARGE"
  /** A datatype we do not decode (complex, RGB, strings, ...). */
  | "UNSUPPORTED_DTYPE"
  /** An HDF5 key is absent. */
  | "KEY_MISSING"
  /** An HDF5 entry is a group (or other object), not a dataset. */
  | "NOT_A_DATASET"
  /** An HDF5 dataset uses a filter that is not available (e.g. h5py's LZF). */
  | "UNSUPPORTED_FILTER"
  /** A read failed for another reason (permissions, IO error, library error). */
  | "READ_FAILED"
  /** A write failed. */
  | "WRITE_FAILED"
  /** A volume has the wrong number of dimensions or an unexpected shape. */
  | "SHAPE"
  /** A label has values outside [0, 1]. */
  | "LABEL_RANGE"
  /** Image values are not finite or fall outside [0, 1] after normalisation. */
  | "VALUE_RANGE"
  /** File ids or H5 keys differ between the folders/files of a split. */
  | "IDS_MISMATCH"
  /** Moving and fixed labels have different numbers of channels. */
  | "LABEL_COUNT"
  /** A group is too small, or there are too few groups, for the sampling asked. */
  | "GROUP_SIZE"
  /** An H5 key of grouped data does not follow `group-<g>-<i>`. */
  | "BAD_KEY"
  /** The configuration is invalid (the message lists every problem with its dot-path). */
  | "INVALID_CONFIG"
  /** A function was called with an invalid argument. */
  | "INVALID_ARGUMENT"
  /** A worker thread failed or exited unexpectedly. */
  | "WORKER_FAILED"
  /** The object was used after `close()`. */
  | "CLOSED";

/** What a `DeepRegLoaderError` carries besides its code and message. */
export interface DeepRegLoaderErrorOptions {
  /** The file the error is about, if any. */
  file?: string;
  /** The original error. */
  cause?: unknown;
  /** Structured details (key, sample indices, dot-paths, ...). */
  details?: Record<string, unknown>;
}

/** The one error class of deepreg-loader: a `code` from a closed set and a message that names the file. */
export class DeepRegLoaderError extends Error {
  /** Always `"DeepRegLoaderError"`. */
  override readonly name = "DeepRegLoaderError";
  /** What went wrong, from a closed set (see `ErrorCode`): branch on this, not on the message. */
  readonly code: ErrorCode;
  /** The file the error is about, if any. */
  readonly file: string | undefined;
  /** Structured details (key, sample indices, dot-paths, ...), if any. */
  readonly details: Record<string, unknown> | undefined;

  /**
   * @param code - what went wrong (see `ErrorCode`)
   * @param message - one line that names the file (and key) and says what was expected and found
   * @param options - the file, the original error (`cause`) and structured details
   */
  constructor(code: ErrorCode, message: string, options: DeepRegLoaderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.details = options.details;
  }
}

/** True when `error` is a `DeepRegLoaderError`, optionally with the given code. */
export function isDeepRegLoaderError(error: unknown, code?: ErrorCode): error is DeepRegLoaderError {
  return error instanceof DeepRegLoaderError && (code === undefined || error.code === code);
}
