// Cross-check of ddfFromLowRes against a numpy port of DeepReg's Resize3d (TF2 bilinear,
// half-pixel centres, edges clamped, per channel), computed directly in float64 as the
// trilinear formula of docs/conventions.md.
import { describe, expect, it } from "vitest";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { ddfFromLowRes } from "./ddf-from-low-res.js";

if (!PYTHON) console.warn("[augment] ddf-numpy.test.ts skipped: no python3 with numpy (set DEEPREG_PYTHON)");

const SCRIPT = String.raw`
import json, sys
import numpy as np

def axis(n, m):
    x = (np.arange(m) + 0.5) * n / m - 0.5
    f = np.floor(x)
    lo = np.clip(f, 0, n - 1).astype(np.int64)
    hi = np.clip(np.ceil(x), 0, n - 1).astype(np.int64)
    return lo, hi, x - f

case = json.loads(sys.argv[1])
field = np.array(case["field"], dtype=np.float32).reshape(*case["lowResShape"], 3).astype(np.float64)
out = field
for a, m in enumerate(case["shape"]):
    lo, hi, w = axis(out.shape[a], m)
    shape = [1, 1, 1, 1]
    shape[a] = m
    w = w.reshape(shape)
    out = np.take(out, lo, axis=a) * (1 - w) + np.take(out, hi, axis=a) * w
print(json.dumps([float(v) for v in out.astype(np.float32).ravel()]))
`;

describe.skipIf(!PYTHON)("ddfFromLowRes against numpy", () => {
  it.each([
    [[2, 3, 1], [7, 5, 6]],
    [[1, 1, 1], [3, 4, 5]],
    [[3, 2, 4], [3, 9, 5]],
  ] as const)("ddfFromLowRes(field %j -> %j) matches the trilinear formula", (lowResShape, shape) => {
    const field = Array.from({ length: lowResShape[0] * lowResShape[1] * lowResShape[2] * 3 }, (_, n) => Math.sin(n * 1.3 + 0.2) * 2.5);
    const ddf = ddfFromLowRes(field, lowResShape, shape);
    expect(ddf.shape).toEqual([...shape, 3]);
    const expected = JSON.parse(runPython(SCRIPT, [JSON.stringify({ field, lowResShape, shape })])) as number[];
    expect(expected).toHaveLength(ddf.data.length);
    ddf.data.forEach((v, n) => expect(Math.abs(v - (expected[n] as number))).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(v))));
  });
});
