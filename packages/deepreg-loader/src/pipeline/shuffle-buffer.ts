// pipeline/shuffle-buffer.ts: tf.data's shuffle buffer as an order of positions. May import samplers.
import type { Random } from "@deepreg-loader/samplers";

/**
 * The order in which a tf.data-style shuffle buffer of `bufferSize` slots emits the stream
 * positions `0..n-1`: fill the buffer with the first `bufferSize` positions; then for each
 * further position pick a slot uniformly (`floor(random() * bufferSize)`), emit its position and
 * put the new one in that slot; when the stream ends, keep picking a slot uniformly among the
 * remaining ones (the last slot moves into the emptied one) until the buffer is empty.
 *
 * The choices depend only on positions, never on sample contents, so the order is computed
 * before any decoding: a run resumed at batch `b` skips the first `b * batchSize` positions of
 * this order and continues exactly like the uninterrupted run. `bufferSize` 1 keeps the order.
 */
export function shuffleBufferOrder(n: number, bufferSize: number, random: Random): number[] {
  const size = Math.max(1, Math.floor(bufferSize));
  if (size === 1) return Array.from({ length: n }, (_, i) => i);
  const buffer: number[] = [];
  const out: number[] = [];
  for (let position = 0; position < n; position++) {
    if (buffer.length < size) {
      buffer.push(position);
      continue;
    }
    const slot = Math.floor(random() * size);
    out.push(buffer[slot] as number);
    buffer[slot] = position;
  }
  while (buffer.length > 0) {
    const slot = Math.floor(random() * buffer.length);
    out.push(buffer[slot] as number);
    buffer[slot] = buffer[buffer.length - 1] as number;
    buffer.pop();
  }
  return out;
}
