// What would fix each target when it misses, from the profiles behind it (docs/decisions.md,
// issue 11): printed under a MISS after what the run measured, and written to the JSON.

/**
 * Target name (its start; variants add ", recycling", ", GLIBC hugetlb" or a workload) -> what
 * would fix a miss. The first match wins, so the longer names come first.
 */
const FIXES: [string, string][] = [
  [
    "cold epoch w0 within 1.6x of the inflate floor",
    "per-file costs of DeepReg's 100 small files (open, read, header, one promise chain each) that the floor, which " +
      "inflates bytes already in memory, does not pay; and this machine's noise (the ratio has measured 0.35-1.56)",
  ],
  [
    "workers 2 >= 1.6x faster than workers 0",
    "not the loader: workers 0 already keeps ~1.3-1.5 cores busy (inflate runs on libuv's pool beside the main thread's " +
      "conversion) and both do the same CPU work, so on 2 cores two workers can be at most ~2 / 1.4 = 1.4x faster; what " +
      "both pay most is paging in fresh output memory (faults above): loader.recycle or GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
  ],
  [
    "affine epoch: workers 2 >= 1.7x faster than 0",
    "as for the plain epoch: workers 0 keeps ~1.2 cores busy, so 2 cores allow at most ~1.65x (alternated runs of " +
      "augment-ab.js have given 1.45-1.92); the warps themselves scale (one WebAssembly SIMD kernel in every thread)",
  ],
  [
    "affine epoch <= 2x the plain epoch",
    "the warp is ~20 ms per volume (warpAffine row) and its outputs re-use freed arrays; what varies is the page faults of " +
      "the reads in both epochs (above): a quiet machine, or recycling / glibc.malloc.hugetlb=1",
  ],
  [
    "cold epoch w2 within 1.3x of the 2-thread",
    "the floor inflates into memory it re-uses and does nothing else; a worker's profile: inflate ~0.7 s (the floor's share), " +
      "value ranges ~0.2 s (0.4 s before the faster ranges), reorders ~0.5 s, more when they page in fresh outputs. " +
      "Fresh memory: loader.recycle or glibc.malloc.hugetlb=1; the passes: WebAssembly SIMD range and reorder kernels over " +
      "the inflated stream (as warpAffine's)",
  ],
  [
    "workers auto as fast as 0 and 2",
    "auto (0) is workers 0 itself, so its gap is noise between two children; auto (2) also reads the first sample on the " +
      "main thread while its workers start (for the first-batch target), paging in that thread's read scratch and outputs " +
      "(30-50k more faults than workers 2 here): glibc.malloc.hugetlb=1 removes that cost (its extra line)",
  ],
  [
    "time to first batch < 2x one sample",
    "workers 2 starts its threads before the first read (module load and a cold JIT in each isolate) while one sample is " +
      "the mean of a warm workers-0 epoch; auto exists for this (it reads the first sample on the main thread meanwhile)",
  ],
  [
    "time to first batch <= 1.5x one sample, auto",
    "one sample is an epoch's mean, in which reads overlap (the w0 epoch keeps ~1.4 cores busy), while the first batch is " +
      "one sample's latency, so the ratio starts near 1.4 before any page-in (the faults above; glibc.malloc.hugetlb=1 " +
      "removes them): splitting the first sample's four reads between the main thread and the starting workers would",
  ],
  [
    "3x the data takes 3x the time",
    "each epoch here is a fresh loader, so starting its workers and paging in its heap's working set once are paid per " +
      "epoch: the 3x epoch has been faster per volume (0.68x in two runs; fewer faults per volume, above). A trainer keeps " +
      "one loader for all its epochs; a warm pool of workers and memory across loaders would make the fresh-loader cost linear too",
  ],
  [
    "peak RSS, cache off, independent of data size",
    "the C library's heap: GLIBC_TUNABLES=glibc.malloc.arena_max=1 or a fixed mmap_threshold flatten it (docs/decisions.md)",
  ],
  [
    "H5 within 1.15x of NIfTI",
    "at the limit within this machine's noise (0.88 in a previous full run; 0.94-1.19 alternated with --h5-ab, CPU 1.06x " +
      "NIfTI's): what is left is H5's per-chunk work (an inflate call and a conversion loop per chunk); --h5-ab on a quiet machine decides",
  ],
];

/** What would fix the target named `name` when it misses, if known. */
export function wouldFix(name: string): string | undefined {
  return FIXES.find(([start]) => name.startsWith(start))?.[1];
}
