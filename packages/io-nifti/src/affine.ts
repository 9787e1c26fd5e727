// Affines of NIfTI headers, following nibabel: `get_qform` (quaternion + pixdim + qfac),
// `get_base_affine` (shape_zoom_affine) and `set_qform` (affine -> quaternion).

/** A 4x4 matrix as rows. */
export type Affine = number[][];

/** The quaternion form of an affine, as stored in a NIfTI header. */
export interface Qform {
  quaternB: number;
  quaternC: number;
  quaternD: number;
  /** -1 or 1 (stored in `pixdim[0]`). */
  qfac: number;
  /** Column lengths of the affine's 3x3 part (stored in `pixdim[1..3]`). */
  zooms: [number, number, number];
  offset: [number, number, number];
  /** False when the 3x3 part has shears that a quaternion cannot hold. */
  exact: boolean;
}

/**
 * Affine from the quaternion fields, as nibabel's `get_qform`. `threshold` is how far below 0
 * `1 - (b^2 + c^2 + d^2)` may be and still count as 0 (nibabel: 3 eps of the header's float
 * type); below it the header is invalid and this returns undefined.
 */
export function qformAffine(
  quatern: readonly [number, number, number],
  pixdim: readonly [number, number, number],
  qfac: number,
  offset: readonly [number, number, number],
  threshold: number,
): Affine | undefined {
  const [x, y, z] = quatern;
  const w2 = 1 - (x * x + y * y + z * z);
  if (w2 < -threshold) return undefined;
  const w = w2 < 0 ? 0 : Math.sqrt(w2);
  const r = quaternionMatrix(w, x, y, z);
  const vox = [pixdim[0], pixdim[1], pixdim[2] * qfac];
  const out: Affine = [];
  for (let i = 0; i < 3; i++) {
    const row = r[i] as number[];
    out.push([
      (row[0] as number) * (vox[0] as number),
      (row[1] as number) * (vox[1] as number),
      (row[2] as number) * (vox[2] as number),
      offset[i] as number,
    ]);
  }
  out.push([0, 0, 0, 1]);
  return out;
}

/** Rotation matrix of a quaternion (nibabel's `quat2mat`, normalising). */
function quaternionMatrix(w: number, x: number, y: number, z: number): number[][] {
  const n = w * w + x * x + y * y + z * z;
  if (n < Number.EPSILON) {
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  }
  const s = 2 / n;
  const X = x * s;
  const Y = y * s;
  const Z = z * s;
  const [wX, wY, wZ] = [w * X, w * Y, w * Z];
  const [xX, xY, xZ] = [x * X, x * Y, x * Z];
  const [yY, yZ, zZ] = [y * Y, y * Z, z * Z];
  return [
    [1 - (yY + zZ), xY - wZ, xZ + wY],
    [xY + wZ, 1 - (xX + zZ), yZ - wX],
    [xZ - wY, yZ + wX, 1 - (xX + yY)],
  ];
}

/**
 * nibabel's `get_base_affine` (`shape_zoom_affine` with x flipped): voxel sizes on the
 * diagonal, the first one negated, and the origin at the centre of the first three axes.
 */
export function baseAffine(shape: readonly number[], zooms: readonly number[]): Affine {
  const out: Affine = [];
  for (let i = 0; i < 3; i++) {
    const n = i < shape.length ? (shape[i] as number) : 1;
    let zoom = i < zooms.length ? (zooms[i] as number) : 1;
    if (i === 0) zoom = -zoom;
    const row = [0, 0, 0, -((n - 1) / 2) * zoom];
    row[i] = zoom;
    out.push(row);
  }
  out.push([0, 0, 0, 1]);
  return out;
}

/** The identity-like affine with voxel sizes on the diagonal (what writers use without an affine). */
export function diagonalAffine(zooms: readonly number[]): Affine {
  const out: Affine = [];
  for (let i = 0; i < 3; i++) {
    const row = [0, 0, 0, 0];
    row[i] = zooms[i] ?? 1;
    out.push(row);
  }
  out.push([0, 0, 0, 1]);
  return out;
}

/**
 * The qform of an affine, as nibabel's `set_qform(strip_shears=True)`: zooms are the column
 * lengths, `qfac` makes the rotation proper, the rotation is the nearest orthogonal matrix
 * (polar decomposition) and its quaternion has `a >= 0` (NIfTI's `nifti_mat44_to_quatern`).
 * Returns undefined when the 3x3 part is singular.
 */
export function qformOfAffine(affine: Affine): Qform | undefined {
  const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i]?.[j] ?? 0));
  const zooms = [0, 1, 2].map((j) => Math.hypot(m[0]![j]!, m[1]![j]!, m[2]![j]!)) as [
    number,
    number,
    number,
  ];
  if (zooms.some((z) => !(z > 0) || !Number.isFinite(z))) return undefined;
  const r = m.map((row) => row.map((v, j) => v / zooms[j]!));
  let qfac = 1;
  if (det3(r) < 0) {
    qfac = -1;
    for (const row of r) row[2] = -row[2]!;
  }
  const p = polarFactor(r);
  if (p === undefined) return undefined;
  const exact = r.every((row, i) => row.every((v, j) => Math.abs(v - p[i]![j]!) < 1e-6));
  const [b, c, d] = quaternionOf(p);
  return {
    quaternB: b,
    quaternC: c,
    quaternD: d,
    qfac,
    zooms,
    offset: [affine[0]?.[3] ?? 0, affine[1]?.[3] ?? 0, affine[2]?.[3] ?? 0],
    exact,
  };
}

function det3(m: number[][]): number {
  const [a, b, c] = m as [number[], number[], number[]];
  return (
    a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) -
    a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) +
    a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!)
  );
}

/** Inverse transpose of a 3x3 matrix (cofactors / determinant), undefined when singular. */
function inverseTranspose(m: number[][]): number[][] | undefined {
  const d = det3(m);
  if (!(Math.abs(d) > 1e-300)) return undefined;
  const c = (i: number, j: number): number => {
    const rows = [0, 1, 2].filter((r) => r !== i);
    const cols = [0, 1, 2].filter((k) => k !== j);
    const [r0, r1] = rows as [number, number];
    const [c0, c1] = cols as [number, number];
    const sign = (i + j) % 2 === 0 ? 1 : -1;
    return (sign * (m[r0]![c0]! * m[r1]![c1]! - m[r0]![c1]! * m[r1]![c0]!)) / d;
  };
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => c(i, j)));
}

/** Orthogonal polar factor (Newton iteration X <- (X + X^-T) / 2), the rotation closest to `m`. */
function polarFactor(m: number[][]): number[][] | undefined {
  let x = m.map((row) => [...row]);
  for (let iter = 0; iter < 100; iter++) {
    const it = inverseTranspose(x);
    if (it === undefined) return undefined;
    const next = x.map((row, i) => row.map((v, j) => (v + it[i]![j]!) / 2));
    const change = Math.max(...next.flatMap((row, i) => row.map((v, j) => Math.abs(v - x[i]![j]!))));
    x = next;
    if (change < 1e-15) break;
  }
  return x;
}

/** Quaternion (b, c, d) of a rotation matrix with a >= 0 (nifti1_io's `nifti_mat44_to_quatern`). */
function quaternionOf(r: number[][]): [number, number, number] {
  const [r11, r12, r13] = r[0] as [number, number, number];
  const [r21, r22, r23] = r[1] as [number, number, number];
  const [r31, r32, r33] = r[2] as [number, number, number];
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return [b, c, d];
}
