// The WebAssembly kernel of `warpAffine` (warp-affine.wat, assembled into
// warp-affine-wasm-bytes.ts): one output row per call, the row's inside run two voxels at a time in
// f64x2 lanes, with the same float32 locations and weights and the same float64 corner sums in
// the same order as the JavaScript kernel, so the results are bit-identical (tests compare them).
// One instance per thread, created on first use; its memory holds the volume and one output plane
// and only grows. Where WebAssembly or its SIMD is missing, `affineRowKernel` returns null and
// `warpAffine` runs its JavaScript loop.
import { WARP_AFFINE_WASM } from "./warp-affine-wasm-bytes.js";

/**
 * Writes output row `(i, j)`: `k = 0 .. n - 1` at `fround(bx + k * tx)` (and y, z), `[lo, hi)`
 * known inside (no test), the rest tested (0 outside `(0, h]` on any axis). `src`, `dst`: byte
 * addresses in the kernel's memory; `d3`, `plane`: strides in voxels.
 */
export type AffineRow = (
  bx: number, by: number, bz: number, tx: number, ty: number, tz: number,
  h1: number, h2: number, h3: number, lo: number, hi: number, n: number,
  src: number, dst: number, d3: number, plane: number,
) => void;

/** The kernel ready for one warp: the volume copied in, output written one plane at a time. */
export interface AffineRowKernel {
  row: AffineRow;
  /** Byte address of the volume in the kernel's memory. */
  src: number;
  /** Byte address of the output plane (row `j` of the current plane starts at `dst + j * d3 * 4`). */
  dst: number;
  /** Copies the output plane (`d2 * d3` voxels) to `out` from voxel `offset` on. */
  flush(out: Float32Array, offset: number): void;
}

// The little of the WebAssembly API used here, typed locally: the project's `lib` has no DOM,
// and a runtime without WebAssembly must still load this module.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
}

const PAGE = 65536;
/** Largest memory used (4 bytes per voxel and a plane): byte addresses stay below 2^31 in the kernel's i32 maths. */
const MAX_BYTES = 2 ** 31;

let instance: { memory: WasmMemory; row: AffineRow } | null | undefined;

function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The thread's kernel instance, created on first call; null where WebAssembly SIMD is missing. */
function kernelInstance(): { memory: WasmMemory; row: AffineRow } | null {
  if (instance !== undefined) return instance;
  instance = null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || typeof wasm.validate !== "function") return instance;
  try {
    const bytes = bytesOf(WARP_AFFINE_WASM);
    if (!wasm.validate(bytes)) return instance; // no SIMD in this runtime
    const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
    instance = { memory: exports.memory as WasmMemory, row: exports.row as AffineRow };
  } catch {
    instance = null; // e.g. a policy forbidding compilation: the JavaScript loop does the work
  }
  return instance;
}

/**
 * The kernel with `data` (a 3D volume's voxels, `plane` of them per index of the first axis)
 * copied into its memory, or null when WebAssembly SIMD is unavailable or the volume too large for
 * it (more than about 2^29 voxels). The memory holds the volume and one output plane (4 bytes per
 * voxel, kept for the next warp). Not re-entrant: the caller finishes one warp before starting the
 * next (warps are synchronous).
 */
export function affineRowKernel(data: Float32Array, plane: number): AffineRowKernel | null {
  const kernel = kernelInstance();
  const size = data.length;
  const need = 4 * (size + plane);
  if (kernel === null || need > MAX_BYTES) return null;
  const { memory, row } = kernel;
  if (memory.buffer.byteLength < need) {
    try {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    } catch {
      return null; // out of memory for the kernel: the JavaScript loop needs none
    }
  }
  const dst = 4 * size;
  new Float32Array(memory.buffer, 0, size).set(data);
  const output = new Float32Array(memory.buffer, dst, plane);
  return {
    row,
    src: 0,
    dst,
    flush(out: Float32Array, offset: number): void {
      out.set(output, offset);
    },
  };
}
