// Cross-check of the warps against a numpy port of DeepReg's resample (spec/augmentation.md,
// written from deepreg/model/layer_util.py): the same zero-boundary weights and
// pyramid_combination order, run twice: with the corner combination in float64 (what
// volume-ops computes: must be equal bit for bit) and all in float32 (what DeepReg computes:
// must be within a few float32 ulps).
import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { resample } from "./resample.js";
import { warpAffine } from "./warp-affine.js";
import { warpDdf } from "./warp-ddf.js";

if (!PYTHON) console.warn("[volume-ops] warp-numpy.test.ts skipped: no python3 with numpy (set DEEPREG_PYTHON)");

const SCRIPT = String.raw`
import itertools, json, sys
import numpy as np

def pyramid(values, wf, wc):
    if len(wf) == 1:
        return values[0] * wf[0] + values[1] * wc[0]
    vf = pyramid(values[::2], wf[:-1], wc[:-1]) * wf[-1]
    vc = pyramid(values[1::2], wf[:-1], wc[:-1]) * wc[-1]
    return vf + vc

def resample(vol, loc, combine):
    has_ch = vol.ndim == 4
    if not has_ch:
        vol = vol[..., None]
    corners, wf, wc = [], [], []
    for a in range(3):
        x = loc[..., a]
        hi = np.float32(vol.shape[a] - 1)
        ceil = np.ceil(x)
        floor = ceil - np.float32(1)
        c = np.clip(x, np.float32(0), hi)
        f = np.clip(floor, np.float32(0), hi)
        e = np.clip(ceil, np.float32(0), hi)
        wf.append((e - c)[..., None].astype(combine))
        wc.append((c - f)[..., None].astype(combine))
        corners.append((f.astype(np.int64), e.astype(np.int64)))
    values = [vol[i, j, k].astype(combine) for i, j, k in itertools.product(*corners)]
    out = pyramid(values, wf, wc).astype(np.float32)
    return out if has_ch else out[..., 0]

def grid(shape):
    return np.stack(np.meshgrid(*[np.arange(d, dtype=np.float64) for d in shape], indexing="ij"), axis=-1)

case = json.loads(sys.argv[1])
vol = np.array(case["volume"], dtype=np.float32).reshape(case["shape"])
spatial = case["shape"][:3]
if case["kind"] == "resample":
    loc = np.array(case["locations"], dtype=np.float32).reshape(case["locationsShape"])
elif case["kind"] == "affine":
    t = np.array(case["theta"], dtype=np.float32).astype(np.float64).reshape(4, 3)
    g = grid(spatial)
    i, j, k = g[..., 0], g[..., 1], g[..., 2]
    loc = np.stack([(i * t[0, c] + j * t[1, c] + t[3, c]) + k * t[2, c] for c in range(3)], axis=-1).astype(np.float32)
else:
    ddf = np.array(case["ddf"], dtype=np.float32).reshape(*spatial, 3)
    loc = grid(spatial).astype(np.float32) + ddf
print(json.dumps({
    "float64": [float(v) for v in resample(vol, loc, np.float64).ravel()],
    "float32": [float(v) for v in resample(vol, loc, np.float32).ravel()],
}))
`;

interface NumpyResult {
  float64: number[];
  float32: number[];
}

function numpy(volume: Volume, extra: Record<string, unknown>): NumpyResult {
  const input = JSON.stringify({ volume: Array.from(volume.data), shape: volume.shape, ...extra });
  return JSON.parse(runPython(SCRIPT, [input])) as NumpyResult;
}

function values(shape: number[], salt: number): Volume {
  const size = shape.reduce((a, b) => a * b, 1);
  return createVolume(Float32Array.from({ length: size }, (_, n) => (((n + salt) * 7919) % 997) / 997), shape);
}

/** Equal bit for bit (0 and -0 count as equal), and a few float32 ulps from DeepReg's float32 order. */
function expectMatches(out: Volume, ref: NumpyResult): void {
  expect(out.data.length).toBe(ref.float64.length);
  const mine = Array.from(out.data, (v) => (v === 0 ? 0 : v));
  expect(mine).toEqual(ref.float64.map((v) => (v === 0 ? 0 : v)));
  let worst = 0;
  out.data.forEach((v, n) => (worst = Math.max(worst, Math.abs(v - (ref.float32[n] as number)))));
  expect(worst).toBeLessThan(4 * 2 ** -24);
  expect(out.data.some((v) => v !== 0)).toBe(true);
}

describe.skipIf(!PYTHON)("warps against a numpy port of DeepReg's resample", () => {
  it("resample([7, 6, 5] and [7, 6, 5, 2], random locations incl. faces) matches numpy", () => {
    // Per axis: outside below, 0, just inside, interior (also non-dyadic), integers, hi, just above hi.
    const candidates = (d: number): number[] => [-0.2, 0, 1e-3, 0.3, 1, 2.7, d - 1.6, d - 1, d - 1 + 1e-3];
    const points: number[] = [];
    for (const x of candidates(7)) for (const y of candidates(6)) for (const z of candidates(5)) points.push(x, y, z);
    const ls = [9, 9, 9, 3];
    const locations = createVolume(Float32Array.from(points), ls);
    for (const shape of [[7, 6, 5], [7, 6, 5, 2]]) {
      const v = values(shape, 3);
      expectMatches(resample(v, locations), numpy(v, { kind: "resample", locations: Array.from(locations.data), locationsShape: ls }));
    }
  });

  it("warpAffine([9, 7, 8] and [6, 8, 7, 3], theta) matches numpy", () => {
    const theta = [0.93, 0.051, -0.023, -0.041, 0.97, 0.032, 0.021, -0.062, 0.91, 0.71, -0.33, 0.47];
    for (const shape of [[9, 7, 8], [6, 8, 7, 3]]) {
      const v = values(shape, 5);
      expectMatches(warpAffine(v, theta), numpy(v, { kind: "affine", theta }));
    }
  });

  it("warpDdf([8, 6, 7], varying ddf) matches numpy", () => {
    const shape = [8, 6, 7];
    const ddf = Array.from({ length: 8 * 6 * 7 * 3 }, (_, n) => Math.sin(n * 0.37) * 1.7);
    const v = values(shape, 11);
    expectMatches(warpDdf(v, createVolume(Float32Array.from(ddf), [8, 6, 7, 3])), numpy(v, { kind: "ddf", ddf: ddf.map(Math.fround) }));
  });
});
