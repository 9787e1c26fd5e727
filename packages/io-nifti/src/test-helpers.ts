// Shared fixtures of the io-nifti tests (not part of the package's API).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { VolumeData } from "@deepreg-loader/core";

/** A row-major volume whose value at flat index `n` is `value(n)`. */
export function volumeOf(shape: number[], value: (n: number) => number): VolumeData {
  let size = 1;
  for (const d of shape) size *= d;
  return { data: Float32Array.from({ length: size }, (_, n) => value(n)), shape };
}

/** Row-major flat index of `index` in `shape`. */
export function rowMajorIndex(shape: readonly number[], index: readonly number[]): number {
  let flat = 0;
  for (let a = 0; a < shape.length; a++) flat = flat * (shape[a] as number) + (index[a] as number);
  return flat;
}

/** Column-major (NIfTI, x fastest) flat index of `index` in `shape`. */
export function columnMajorIndex(shape: readonly number[], index: readonly number[]): number {
  let flat = 0;
  for (let a = shape.length - 1; a >= 0; a--) flat = flat * (shape[a] as number) + (index[a] as number);
  return flat;
}

/** Every multi-index of `shape`, row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const index = shape.map(() => 0);
  let size = 1;
  for (const d of shape) size *= d;
  for (let n = 0; n < size; n++) {
    yield [...index];
    for (let a = shape.length - 1; a >= 0; a--) {
      index[a] = (index[a] as number) + 1;
      if ((index[a] as number) < (shape[a] as number)) break;
      index[a] = 0;
    }
  }
}

/** A copy of `bytes` with `edit` applied through a DataView. */
export function patched(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

/** A fresh temporary folder and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "drl-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `fn`, expecting a `DeepRegLoaderError`-like rejection; returns it for inspection. */
export async function caught(fn: () => unknown): Promise<{ code: string; message: string; file?: string; cause?: unknown }> {
  try {
    await fn();
  } catch (error) {
    return error as { code: string; message: string; file?: string; cause?: unknown };
  }
  throw new Error("expected an error, none was thrown");
}

/** The `code` of the `DeepRegLoaderError` that `fn` throws (fails the test if it throws anything else). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeepRegLoaderError);
    return (error as DeepRegLoaderError).code;
  }
  throw new Error("expected an error");
}
