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
