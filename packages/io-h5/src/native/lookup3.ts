// Bob Jenkins' lookup3 `hashlittle` (byte-wise, initval 0): HDF5's metadata checksum
// (H5_checksum_lookup3) for superblock v2/v3, v2 object headers, fractal heaps, v2 B-trees and
// fixed arrays.

function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The lookup3 checksum of `data[start, end)` as an unsigned 32-bit number. */
export function lookup3(data: Uint8Array, start = 0, end = data.length): number {
  let length = end - start;
  let a = (0xdeadbeef + length) | 0;
  let b = a;
  let c = a;
  let k = start;
  const word = (i: number): number =>
    ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24)) | 0;
  while (length > 12) {
    a = (a + word(k)) | 0;
    b = (b + word(k + 4)) | 0;
    c = (c + word(k + 8)) | 0;
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c >>> 0;
  // The last 1-12 bytes, zero-padded.
  const tail = [0, 0, 0];
  for (let i = 0; i < length; i++) tail[i >> 2] = (tail[i >> 2] as number) | ((data[k + i] as number) << ((i & 3) * 8));
  a = (a + (tail[0] as number)) | 0;
  b = (b + (tail[1] as number)) | 0;
  c = (c + (tail[2] as number)) | 0;
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}
