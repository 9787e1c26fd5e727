import { DeepRegLoaderError, createVolume } from "@deepreg-loader/core";
import type { Volume } from "@deepreg-loader/core";
import { contiguousData } from "./contiguous.js";

/**
 * One channel of a channel-last label as a new 3D volume: `[d1, d2, d3, C]` -> `[d1, d2, d3]`.
 * A 3D label is one channel: `channel` 0 returns a copy.
 * Throws `SHAPE` when the label is neither 3D nor 4D, `INVALID_ARGUMENT` when `channel` is not
 * an integer in `[0, C)`.
 */
export function takeChannel(label: Volume, channel: number): Volume {
  const shape = label.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `takeChannel: expected a 3D or 4D label, found shape [${shape.join(", ")}]`,
    );
  }
  const channels = shape.length === 4 ? (shape[3] as number) : 1;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `takeChannel: channel ${channel} is out of range for a label of shape [${shape.join(", ")}] (${channels} channel${channels === 1 ? "" : "s"})`,
      { details: { channel, channels } },
    );
  }
  const spatial = shape.slice(0, 3);
  const n = (spatial[0] as number) * (spatial[1] as number) * (spatial[2] as number);
  const data = contiguousData(label, "takeChannel");
  if (channels === 1) return createVolume(data.slice(0, n), spatial);
  const out = new Float32Array(n);
  for (let i = 0, s = channel; i < n; i++, s += channels) out[i] = data[s] as number;
  return createVolume(out, spatial);
}

/**
 * Every channel of a channel-last label as its own 3D volume, in one pass over the label:
 * `[d1, d2, d3, C]` -> C volumes `[d1, d2, d3]`, volume `c` equal to `takeChannel(label, c)`,
 * each over a buffer of its own. A 3D label is one channel (a copy).
 * Throws `SHAPE` when the label is neither 3D nor 4D.
 *
 * @example
 * ```ts
 * import { createVolume } from "@deepreg-loader/core";
 * import { splitChannels } from "@deepreg-loader/volume-ops";
 *
 * const label = createVolume(Float32Array.of(0, 1, 0.5, 0.25), [1, 2, 1, 2]);
 * console.log(splitChannels(label).map((v) => Array.from(v.data)));
 * // [ [ 0, 0.5 ], [ 1, 0.25 ] ]
 * ```
 */
export function splitChannels(label: Volume): Volume[] {
  const shape = label.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DeepRegLoaderError(
      "SHAPE",
      `splitChannels: expected a 3D or 4D label, found shape [${shape.join(", ")}]`,
    );
  }
  const channels = shape.length === 4 ? (shape[3] as number) : 1;
  const spatial = shape.slice(0, 3);
  const n = (spatial[0] as number) * (spatial[1] as number) * (spatial[2] as number);
  const data = contiguousData(label, "splitChannels");
  if (channels === 1) return [createVolume(data.slice(0, n), spatial)];
  const outs = Array.from({ length: channels }, () => new Float32Array(n));
  if (channels === 2) {
    const [a, b] = outs as [Float32Array, Float32Array];
    for (let i = 0, s = 0; i < n; i++, s += 2) {
      a[i] = data[s] as number;
      b[i] = data[s + 1] as number;
    }
  } else if (channels === 3) {
    const [a, b, c] = outs as [Float32Array, Float32Array, Float32Array];
    for (let i = 0, s = 0; i < n; i++, s += 3) {
      a[i] = data[s] as number;
      b[i] = data[s + 1] as number;
      c[i] = data[s + 2] as number;
    }
  } else {
    for (let i = 0, s = 0; i < n; i++) for (let c = 0; c < channels; c++, s++) (outs[c] as Float32Array)[i] = data[s] as number;
  }
  return outs.map((o) => createVolume(o, spatial));
}
