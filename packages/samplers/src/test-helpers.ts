import { expect } from "vitest";
import { isDeepRegLoaderError, type ErrorCode } from "@deepreg-loader/core";

/** Asserts that `fn` throws a DeepRegLoaderError with `code` and a message containing `text`. */
export function expectError(fn: () => unknown, code: ErrorCode, text: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isDeepRegLoaderError(caught), `expected a DeepRegLoaderError, got ${String(caught)}`).toBe(true);
  if (!isDeepRegLoaderError(caught)) return;
  expect(caught.code).toBe(code);
  expect(caught.message).toContain(text);
}

/** How often each value occurs. */
export function histogram(values: readonly (number | string)[]): Map<number | string, number> {
  const counts = new Map<number | string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** 0..n-1. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
