"""The numpy/nibabel reference pipeline of the benchmark (DeepReg's paired loader, by hand).

Reads a JSON job on stdin: {"pairs": [[moving_image, fixed_image, moving_label, fixed_label], ...],
"moving_shape": [a, b, c], "fixed_shape": [a, b, c], "reps": n}. Each repetition is one epoch
with `valid` semantics (every label channel of every pair is a sample): per pair, read the four
files with nibabel as float32, normalise each image as DeepReg does ((x - min + EPS) /
(max - min + EPS)), resize images and labels to the target shapes (separable linear
interpolation, half-pixel centres, edge clamped: tf.image.resize "bilinear"; the identity when
the shape is already right), then one sample per label channel. Prints {"seconds": [...],
"samples": n} as JSON.
"""
import json
import sys
import time

import nibabel as nib
import numpy as np

EPS = np.float32(1e-5)


def normalise(x):
    lo = x.min()
    hi = x.max()
    return (x - lo + EPS) / (hi - lo + EPS)


def resize_axis(x, axis, m):
    n = x.shape[axis]
    if n == m:
        return x
    o = np.arange(m, dtype=np.float64)
    pos = (o + 0.5) * n / m - 0.5
    lo = np.clip(np.floor(pos), 0, n - 1).astype(np.int64)
    hi = np.clip(np.ceil(pos), 0, n - 1).astype(np.int64)
    w = (pos - np.floor(pos)).astype(np.float32)
    shape = [1] * x.ndim
    shape[axis] = m
    a = np.take(x, lo, axis=axis)
    b = np.take(x, hi, axis=axis)
    return a + (b - a) * w.reshape(shape)


def resize(x, shape):
    for axis, m in enumerate(shape):
        x = resize_axis(x, axis, m)
    return x


def read(path):
    return np.asarray(nib.load(path).dataobj, dtype=np.float32)


def epoch(pairs, moving_shape, fixed_shape):
    samples = 0
    for moving_image, fixed_image, moving_label, fixed_label in pairs:
        mi = resize(normalise(read(moving_image)), moving_shape)
        fi = resize(normalise(read(fixed_image)), fixed_shape)
        ml = read(moving_label)
        fl = read(fixed_label)
        if ml.ndim == 3:
            ml = ml[..., None]
            fl = fl[..., None]
        ml = resize(ml, moving_shape)
        fl = resize(fl, fixed_shape)
        for c in range(ml.shape[3]):
            sample = (mi, fi, np.ascontiguousarray(ml[..., c]), np.ascontiguousarray(fl[..., c]))
            samples += 1
            del sample
    return samples


def main():
    job = json.load(sys.stdin)
    seconds = []
    samples = 0
    for _ in range(job["reps"]):
        start = time.perf_counter()
        samples = epoch(job["pairs"], job["moving_shape"], job["fixed_shape"])
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds, "samples": samples}))


if __name__ == "__main__":
    main()
