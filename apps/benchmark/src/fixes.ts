// What would fix each target when it misses, from the profiles behind it (docs/decisions.md,
// issue 11): printed under a MISS after what the run measured, and written to the JSON.

/** Target name (its start: variants add ", recycling", ", GLIBC hugetlb", a workload) -> the fix. */
const FIXES: [string, string][] = [
  [
    "workers 2 >= 1.6x faster than workers 0",
    "not the loader: workers 0 already keeps ~1.3-1.5 cores busy (inflate runs on libuv's pool beside the main thread's " +
      "conversion) and both do the same CPU work, so on 2 cores two workers can be at most ~2 / 1.4 = 1.4x faster; " +
      "what both pay most is paging in fresh output memory (faults above): loader.recycle or GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (rows above)",
  ],
  [
    "affine epoch: workers 2 >= 1.7x faster than 0",
    "as for the plain epoch: workers 0 keeps ~1.2 cores busy, so 2 cores allow at most ~1.65x; the warps scale (affine / plain at w2 passes)",
  ],
  [
    "cold epoch w2 within 1.3x of the 2-thread",
    "the floor inflates into memory it re-uses and does nothing else; a worker's profile: inflate ~0.7 s (the floor's share), " +
      "value ranges ~0.4 s, reorders ~0.5 s and more when they page in fresh outputs: fresh memory: loader.recycle or " +
      "glibc.malloc.hugetlb=1; the passes: WebAssembly SIMD range and reorder kernels over the inflated stream (as warpAffine's)",
  ],
  [
    "workers auto as fast as 0 and 2",
    "auto runs the same workers as workers 2 plus the first sample on the main thread; the gap is page faults, which vary with " +
      "glibc's heap state from run to run: with glibc.malloc.hugetlb=1 (extra line) auto is within 10% of the best",
  ],
  [
    "time to first batch",
    "the first batch starts the workers (module load, JIT in fresh isolates) and pages in the first sample's fresh memory, while " +
      "one sample is the mean of a w0 epoch that re-uses its memory: glibc.malloc.hugetlb=1 (extra lines)",
  ],
  [
    "3x the data takes 3x the time",
    "the epochs' time follows their page faults (above), not their bytes: the 3x and 1x children page in different shares of " +
      "their outputs as glibc's heap state varies; recycling or glibc.malloc.hugetlb=1 make the cost per volume steady",
  ],
  [
    "peak RSS, cache off, independent of data size",
    "the C library's heap: GLIBC_TUNABLES=glibc.malloc.arena_max=1 or a fixed mmap_threshold flatten it (docs/decisions.md)",
  ],
  ["H5 within 1.15x of NIfTI", "read natively (no h5wasm) in the workers; see the --h5-ab mode for the per-format split"],
];

/** What would fix the target named `name` when it misses, if known. */
export function wouldFix(name: string): string | undefined {
  return FIXES.find(([start]) => name.startsWith(start))?.[1];
}
