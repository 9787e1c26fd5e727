import type { Volume } from "@deepreg-loader/core";
import { valueRange } from "./value-range.js";

function format(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

/**
 * One line about a volume for messages: `float32 [64, 64, 60] min 0 max 255`
 * (values to 6 significant digits; `float32 [0, 4] (empty)` without values).
 */
export function describe(volume: Volume): string {
  const head = `float32 [${volume.shape.join(", ")}]`;
  if (volume.size === 0) return `${head} (empty)`;
  const { min, max } = valueRange(volume);
  return `${head} min ${format(min)} max ${format(max)}`;
}
