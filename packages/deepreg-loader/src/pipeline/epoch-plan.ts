// pipeline/epoch-plan.ts: what an index vector refers to. The pipeline/ folder owns the loader's
// building blocks without dataset knowledge (workers, cache, read-ahead, shuffle buffer,
// preprocessing, augmentation warps); it may import core, volume-ops, samplers, augment and
// dataset/volume-rules, never loader/ or cli/.
import type { DatasetType } from "@deepreg-loader/core";

/** Observation indices of a pair's moving and fixed volumes, and a key naming the pair. */
export interface PairRef {
  moving: number;
  fixed: number;
  key: string;
}

/**
 * The observations an index vector refers to: paired `[i, c]` -> `i`, `i`; unpaired
 * `[m, f, c]` -> `m`, `f`; grouped `[mg, mi, fg, fi, c]` -> `groups[mg][mi]`, `groups[fg][fi]`.
 * The label index (last entry) is not part of the pair.
 */
export function pairOf(type: DatasetType, indices: readonly number[], groups: readonly (readonly number[])[] | null): PairRef {
  const key = indices.slice(0, -1).join(",");
  switch (type) {
    case "paired":
      return { moving: indices[0] as number, fixed: indices[0] as number, key };
    case "unpaired":
      return { moving: indices[0] as number, fixed: indices[1] as number, key };
    case "grouped": {
      const g = groups as readonly (readonly number[])[];
      return {
        moving: g[indices[0] as number]?.[indices[1] as number] as number,
        fixed: g[indices[2] as number]?.[indices[3] as number] as number,
        key,
      };
    }
  }
}

/** Length of DeepReg's index vector: paired 2, unpaired 3, grouped 5. */
export function numIndicesOf(type: DatasetType): number {
  return type === "paired" ? 2 : type === "unpaired" ? 3 : 5;
}
