import type { Volume } from "./volume.js";

/** Where one observation lives: a NIfTI file, or a key in an H5 file. */
export interface DataSource {
  /** The id shared across folders/files: relative path without suffix, or the H5 key. */
  id: string;
  /** The file to read. */
  path: string;
  /** The H5 key, for H5 sources. */
  key?: string;
}

/**
 * Reads the observations of one top folder (`moving_images/`, `labels.h5`, ...) by index.
 * Ids are sorted as DESIGN.md says; `read(i)` returns the raw volume (not normalised).
 */
export interface FileLoader {
  /** Sorted ids, one per observation. */
  readonly ids: readonly string[];
  /** Where observation `index` lives. */
  source(index: number): DataSource;
  /** Shape of observation `index`, from the header only when the format allows. */
  shape(index: number): Promise<number[]>;
  /** The raw volume of observation `index`. */
  read(index: number): Promise<Volume>;
  /** Release open files. */
  close(): Promise<void>;
}
