function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The key most like `wanted`, for "did you mean": compared case-insensitively, a key that
 * extends `wanted` (`case000000` -> `case000000.nii.gz`) or the key with the fewest
 * single-character edits, at most a third of `wanted`'s length; ties go to the first in `keys`.
 * Undefined when nothing is that close.
 */
export function closestKey(wanted: string, keys: readonly string[]): string | undefined {
  const target = wanted.toLowerCase();
  const limit = Math.floor(target.length / 3);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of keys) {
    const candidate = key.toLowerCase();
    const distance =
      candidate === target ? 0 : target.length > 0 && candidate.startsWith(target) ? 1 : editDistance(target, candidate);
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(limit, 1) && (bestDistance === 0 || target.length >= 3) ? best : undefined;
}
