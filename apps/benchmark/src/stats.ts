// Small numeric helpers of the benchmark: medians, ratios, targets, formatting.
import { wouldFix } from "./fixes.js";

/** The median of `values` (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `numerator / denominator`, NaN when either is not a positive finite number. */
export function ratio(numerator: number, denominator: number): number {
  const ok = (x: number) => Number.isFinite(x) && x > 0;
  return ok(numerator) && ok(denominator) ? numerator / denominator : Number.NaN;
}
/** A performance target: `value` (a ratio measured in this run) compared with `limit`. */
export interface Target {
  name: string;
  /** What the ratio is, e.g. "cold epoch / inflate floor". */
  measure: string;
  value: number;
  /** `<`: below `limit`; `<=`: at most; `>=`: at least. */
  op: "<" | "<=" | ">=";
  limit: number;
  pass: boolean;
  /** What the run measured that explains the value (page faults, cores busy), printed under a MISS. */
  why?: string;
  /** What would fix a miss (from the profiles behind the target), printed under a MISS. */
  fix?: string;
}

/** Builds a target; a NaN value (not measured) never passes. */
export function target(name: string, measure: string, value: number, op: Target["op"], limit: number, why?: string): Target {
  const pass = Number.isFinite(value) && (op === "<" ? value < limit : op === "<=" ? value <= limit : value >= limit);
  const fix = wouldFix(name);
  return { name, measure, value, op, limit, pass, ...(why === undefined ? {} : { why }), ...(fix === undefined ? {} : { fix }) };
}

/** A count with 3 significant digits: `950`, `12.3k`, `1.23M`. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return "-";
  if (Math.abs(count) < 1000) return String(Math.round(count));
  if (Math.abs(count) < 1e6) return `${(count / 1e3).toPrecision(3)}k`;
  return `${(count / 1e6).toPrecision(3)}M`;
}

/** Seconds, with a unit that keeps 3 significant digits: `12.3 ms`, `1.23 s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  if (seconds < 1e-3) return `${(seconds * 1e6).toPrecision(3)} us`;
  if (seconds < 1) return `${(seconds * 1e3).toPrecision(3)} ms`;
  return `${seconds.toPrecision(3)} s`;
}

/** Bytes in binary units: `512 B`, `1.50 MiB`, `2.00 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/** Throughput in MB/s (10^6 bytes) of `bytes` processed in `seconds`. */
export function megabytesPerSecond(bytes: number, seconds: number): number {
  return ratio(bytes, seconds) / 1e6;
}
