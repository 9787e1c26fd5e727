// Synthetic registration phantoms: a smooth 3D "body" with two inner structures (the two
// label channels), and a known smooth deformation that relates a moving to a fixed image.
// Volumes are plain row-major Float32Arrays (last axis fastest), see docs/conventions.md.
import type { Random } from "./random.js";
import { gaussian } from "./random.js";

export type Shape3 = [number, number, number];

/** An ellipsoid in normalised coordinates (each axis spans [-1, 1]). */
interface Ellipsoid {
  center: Shape3;
  radii: Shape3;
}

/** The random parameters of one subject. */
export interface Subject {
  body: Ellipsoid;
  /** Label channel 0: a bright, organ-like structure. */
  organ: Ellipsoid;
  /** Label channel 1: a dark, lesion-like structure. */
  lesion: Ellipsoid;
  /** Linear intensity gradient across the body, per axis. */
  gradient: Shape3;
}

/** A phantom on a voxel grid: the image in [0, ~1] and a 2-channel label `[...shape, 2]` in {0, 1}. */
export interface Phantom {
  shape: Shape3;
  image: Float32Array;
  label: Float32Array;
}

/** Number of label channels of a phantom. */
export const NUM_LABELS = 2;

function jitter(random: Random, value: number, amount: number): number {
  return value + (random() * 2 - 1) * amount;
}

/** Draws the shape parameters of one subject. */
export function randomSubject(random: Random): Subject {
  return {
    body: {
      center: [jitter(random, 0, 0.05), jitter(random, 0, 0.05), jitter(random, 0, 0.05)],
      radii: [jitter(random, 0.8, 0.05), jitter(random, 0.75, 0.05), jitter(random, 0.8, 0.05)],
    },
    organ: {
      center: [jitter(random, -0.3, 0.08), jitter(random, 0.1, 0.08), jitter(random, 0, 0.08)],
      radii: [jitter(random, 0.32, 0.05), jitter(random, 0.28, 0.05), jitter(random, 0.38, 0.05)],
    },
    lesion: {
      center: [jitter(random, 0.35, 0.08), jitter(random, -0.25, 0.08), jitter(random, 0.1, 0.08)],
      radii: [jitter(random, 0.2, 0.03), jitter(random, 0.2, 0.03), jitter(random, 0.24, 0.03)],
    },
    gradient: [jitter(random, 0, 0.1), jitter(random, 0, 0.1), jitter(random, 0, 0.1)],
  };
}

/** Squared normalised radius of point `p` in ellipsoid `e` (< 1 inside). */
function radius2(e: Ellipsoid, p: Shape3): number {
  const a = (p[0] - e.center[0]) / e.radii[0];
  const b = (p[1] - e.center[1]) / e.radii[1];
  const c = (p[2] - e.center[2]) / e.radii[2];
  return a * a + b * b + c * c;
}

/** 1 well inside, 0 well outside, a smooth ramp of width ~`edge` (in normalised radius) at the border. */
function softInside(r2: number, edge: number): number {
  const t = (Math.sqrt(r2) - 1) / edge;
  if (t <= -1) return 1;
  if (t >= 1) return 0;
  const s = (t + 1) / 2;
  return 1 - s * s * (3 - 2 * s);
}

/** Renders a subject on a grid: smooth intensities, binary labels (no noise). */
export function renderSubject(subject: Subject, shape: Shape3): Phantom {
  const [n0, n1, n2] = shape;
  const image = new Float32Array(n0 * n1 * n2);
  const label = new Float32Array(n0 * n1 * n2 * NUM_LABELS);
  const p: Shape3 = [0, 0, 0];
  let v = 0;
  for (let i = 0; i < n0; i++) {
    p[0] = ((i + 0.5) / n0) * 2 - 1;
    for (let j = 0; j < n1; j++) {
      p[1] = ((j + 0.5) / n1) * 2 - 1;
      for (let k = 0; k < n2; k++, v++) {
        p[2] = ((k + 0.5) / n2) * 2 - 1;
        const body = softInside(radius2(subject.body, p), 0.1);
        const organR2 = radius2(subject.organ, p);
        const lesionR2 = radius2(subject.lesion, p);
        const shade =
          0.45 + subject.gradient[0] * p[0] + subject.gradient[1] * p[1] + subject.gradient[2] * p[2];
        image[v] =
          body * shade + 0.4 * softInside(organR2, 0.15) - 0.3 * softInside(lesionR2, 0.15) * body;
        label[v * NUM_LABELS] = organR2 < 1 ? 1 : 0;
        label[v * NUM_LABELS + 1] = lesionR2 < 1 ? 1 : 0;
      }
    }
  }
  return { shape, image, label };
}

/** The systematic part of the deformations of a dataset (e.g. a consistent patient position offset). */
export interface DeformationBias {
  /** Mean translation in voxels, per axis. */
  shift: Shape3;
  /** Mean rotation about the first two axes' plane, in radians. */
  angle: number;
}

/** The default bias: a few voxels and degrees, so a network can learn it in a few dozen steps. */
export const DEFAULT_BIAS: DeformationBias = { shift: [2, -1.5, 1], angle: 0.08 };

/**
 * A smooth displacement field in voxels, `[...shape, 3]`: a rotation about the centre and a
 * translation (`bias` plus a little jitter) plus a sinusoidal wobble of up to `amplitude` voxels.
 */
export function randomDeformation(
  random: Random,
  shape: Shape3,
  options: { amplitude?: number; bias?: DeformationBias } = {},
): Float32Array {
  const { amplitude = 1.5, bias = DEFAULT_BIAS } = options;
  const [n0, n1, n2] = shape;
  const ddf = new Float32Array(n0 * n1 * n2 * 3);
  const angle = jitter(random, bias.angle, 0.02);
  const shift: Shape3 = [
    jitter(random, bias.shift[0], 0.5),
    jitter(random, bias.shift[1], 0.5),
    jitter(random, bias.shift[2], 0.5),
  ];
  const phase: Shape3 = [random() * 2 * Math.PI, random() * 2 * Math.PI, random() * 2 * Math.PI];
  const amp: Shape3 = [
    jitter(random, 0, amplitude),
    jitter(random, 0, amplitude),
    jitter(random, 0, amplitude),
  ];
  const c0 = (n0 - 1) / 2;
  const c1 = (n1 - 1) / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let v = 0;
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      for (let k = 0; k < n2; k++, v++) {
        const x = i - c0;
        const y = j - c1;
        ddf[v * 3] = cos * x - sin * y - x + shift[0] + amp[0] * Math.sin((2 * Math.PI * j) / n1 + phase[0]);
        ddf[v * 3 + 1] = sin * x + cos * y - y + shift[1] + amp[1] * Math.sin((2 * Math.PI * k) / n2 + phase[1]);
        ddf[v * 3 + 2] = shift[2] + amp[2] * Math.sin((2 * Math.PI * i) / n0 + phase[2]);
      }
    }
  }
  return ddf;
}

/**
 * Trilinear warp of a row-major volume `[...shape, channels]` by a displacement field
 * `[...shape, 3]` (voxels): `out(x) = volume(x + ddf(x))`, edge clamped.
 */
export function warp(volume: Float32Array, shape: Shape3, channels: number, ddf: Float32Array): Float32Array {
  const [n0, n1, n2] = shape;
  const out = new Float32Array(volume.length);
  const clamp = (x: number, n: number): number => (x < 0 ? 0 : x > n - 1 ? n - 1 : x);
  let v = 0;
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      for (let k = 0; k < n2; k++, v++) {
        const x = clamp(i + (ddf[v * 3] as number), n0);
        const y = clamp(j + (ddf[v * 3 + 1] as number), n1);
        const z = clamp(k + (ddf[v * 3 + 2] as number), n2);
        const x0 = Math.floor(x);
        const y0 = Math.floor(y);
        const z0 = Math.floor(z);
        const x1 = Math.min(x0 + 1, n0 - 1);
        const y1 = Math.min(y0 + 1, n1 - 1);
        const z1 = Math.min(z0 + 1, n2 - 1);
        const wx = x - x0;
        const wy = y - y0;
        const wz = z - z0;
        for (let c = 0; c < channels; c++) {
          const at = (a: number, b: number, d: number): number =>
            volume[((a * n1 + b) * n2 + d) * channels + c] as number;
          const c00 = at(x0, y0, z0) * (1 - wz) + at(x0, y0, z1) * wz;
          const c01 = at(x0, y1, z0) * (1 - wz) + at(x0, y1, z1) * wz;
          const c10 = at(x1, y0, z0) * (1 - wz) + at(x1, y0, z1) * wz;
          const c11 = at(x1, y1, z0) * (1 - wz) + at(x1, y1, z1) * wz;
          out[v * channels + c] =
            (c00 * (1 - wy) + c01 * wy) * (1 - wx) + (c10 * (1 - wy) + c11 * wy) * wx;
        }
      }
    }
  }
  return out;
}

/** The phantom deformed by `ddf`: image warped trilinearly, labels warped then thresholded at 0.5. */
export function deformPhantom(phantom: Phantom, ddf: Float32Array): Phantom {
  const image = warp(phantom.image, phantom.shape, 1, ddf);
  const label = warp(phantom.label, phantom.shape, NUM_LABELS, ddf);
  for (let v = 0; v < label.length; v++) label[v] = (label[v] as number) >= 0.5 ? 1 : 0;
  return { shape: phantom.shape, image, label };
}

/** Adds Gaussian noise of standard deviation `sigma` to the image (in place) and returns the phantom. */
export function addNoise(phantom: Phantom, random: Random, sigma: number): Phantom {
  const { image } = phantom;
  for (let v = 0; v < image.length; v++) image[v] = (image[v] as number) + sigma * gaussian(random);
  return phantom;
}

/**
 * One registration pair: a fixed phantom, and the moving phantom that the known deformation
 * `ddf` maps onto it (`moving(x) = fixed(x + ddf(x))` before noise).
 */
export function phantomPair(
  random: Random,
  shape: Shape3,
  options: { amplitude?: number; bias?: DeformationBias; noise?: number } = {},
): { moving: Phantom; fixed: Phantom; ddf: Float32Array } {
  const { noise = 0.02 } = options;
  const fixed = renderSubject(randomSubject(random), shape);
  const ddf = randomDeformation(random, shape, options);
  const moving = deformPhantom(fixed, ddf);
  return { moving: addNoise(moving, random, noise), fixed: addNoise(fixed, random, noise), ddf };
}
