import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { Filter } from "h5wasm";

/** HDF5 filters built into h5wasm: deflate (gzip) 1, shuffle 2, fletcher32 3, nbit 5, scaleoffset 6. */
export const AVAILABLE_FILTERS: ReadonlyMap<number, string> = new Map([
  [1, "deflate"],
  [2, "shuffle"],
  [3, "fletcher32"],
  [5, "nbit"],
  [6, "scaleoffset"],
]);

/**
 * Throws `UNSUPPORTED_FILTER` when the dataset's pipeline uses a filter h5wasm does not have
 * (h5py's LZF 32000, szip 4, blosc 32001, ...): such a dataset would fail or read as garbage.
 */
export function checkFilters(filters: readonly Filter[], file: string, key: string): void {
  const missing = filters.filter((f) => !AVAILABLE_FILTERS.has(f.id));
  if (missing.length === 0) return;
  const names = missing.map((f) => `${f.name || "unnamed"} (id ${f.id})`).join(", ");
  throw new DeepRegLoaderError(
    "UNSUPPORTED_FILTER",
    `${file}: dataset "${key}" is compressed with ${names}, which h5wasm cannot decode; available: ` +
      `${[...AVAILABLE_FILTERS].map(([id, name]) => `${name} (${id})`).join(", ")}. ` +
      `Rewrite it with gzip, e.g. h5py create_dataset(..., compression="gzip")`,
    { file, details: { key, filters: missing.map((f) => f.id) } },
  );
}
