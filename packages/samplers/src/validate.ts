import { DeepRegLoaderError } from "@deepreg-loader/core";

/** Throws INVALID_ARGUMENT unless `value` is an integer >= 0. */
export function assertCount(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${name} must be an integer >= 0, found ${describe(value)}`,
      { details: { [name]: value } },
    );
  }
}

/** Throws INVALID_ARGUMENT unless `seed` is a finite number and `epoch` an integer >= 0. */
export function assertSeedEpoch(options: { seed: unknown; epoch: unknown }): void {
  if (typeof options.seed !== "number" || !Number.isFinite(options.seed)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `seed must be a finite number, found ${describe(options.seed)}`,
      { details: { seed: options.seed } },
    );
  }
  assertCount("epoch", options.epoch);
}

/** Throws INVALID_ARGUMENT unless `value` is a boolean or undefined. */
export function assertOptionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${name} must be true or false, found ${describe(value)}`,
      { details: { [name]: value } },
    );
  }
}

/** Throws INVALID_ARGUMENT unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new DeepRegLoaderError(
      "INVALID_ARGUMENT",
      `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, found ${describe(value)}`,
      { details: { [name]: value } },
    );
  }
}

/** A value as it reads in a message: strings quoted, arrays and objects as JSON. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || value === undefined || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
