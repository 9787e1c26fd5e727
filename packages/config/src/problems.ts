import type { DeepRegConfig } from "./types.js";

/** One problem of a config: where (dot-path), what was expected, what was found. */
export interface ConfigProblem {
  /** Dot-path of the key, e.g. `dataset.train.dir` or `dataset.image_shape[1]`; `""` for the top level. */
  path: string;
  /** The whole sentence after the path, e.g. `expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)`. */
  message: string;
  /** What a valid value looks like. */
  expected?: string;
  /** What the config holds there (`nothing` when the key is missing). */
  found?: string;
  /** The value or key the user probably meant. */
  suggestion?: string;
}

/** The outcome of `validateConfig`: the typed config, or every error. Warnings in both cases. */
export type ValidationResult =
  | {
      /** `true`: the config is valid. */
      ok: true;
      /** The validated, normalised config. */
      config: DeepRegConfig;
      /** Problems that do not stop the config from being used (e.g. the v0.1.1 layout). */
      warnings: ConfigProblem[];
    }
  | {
      /** `false`: the config is invalid. */
      ok: false;
      /** Every error, all at once (each with its dot-path). */
      errors: ConfigProblem[];
      /** Problems that would not stop the config from being used. */
      warnings: ConfigProblem[];
    };

/** One problem as one line: `dataset.type: expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)`. */
export function formatConfigProblem(problem: ConfigProblem): string {
  return `${problem.path === "" ? "(top level)" : problem.path}: ${problem.message}`;
}

const MAX_ITEMS = 6;
const MAX_STRING = 80;

/** A short, YAML-ish rendering of a config value for messages: `"pared"`, `1.5`, `[8, 8]`, `a mapping (a, b)`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const text = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}...` : value;
    return JSON.stringify(text);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value instanceof Date) return `a date (${value.toISOString()})`;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => (isMapping(item) ? "{...}" : describeValue(item)));
    if (value.length > MAX_ITEMS) items.push("...");
    return `[${items.join(", ")}]`;
  }
  if (isMapping(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return "an empty mapping";
    const shown = keys.slice(0, MAX_ITEMS).join(", ");
    return `a mapping (${shown}${keys.length > MAX_ITEMS ? ", ..." : ""})`;
  }
  return typeof value;
}

/** True for a plain object as YAML produces for a mapping (not an array, null, Date, ...). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Collects errors and warnings while the rules run. */
export class ProblemList {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  /** An error `expected <expected>, found <value>` with an optional "did you mean". */
  expected(path: string, expected: string, value: unknown, suggestion?: unknown): void {
    this.errors.push(expectedFound(path, expected, value, suggestion));
  }

  /** An unknown key, with the closest known key as suggestion. */
  unknownKey(path: string, key: string, known: readonly string[], suggestion: string | undefined): void {
    const expected = `one of ${known.join(", ")}`;
    const message =
      suggestion === undefined
        ? `unknown key, expected ${expected}`
        : `unknown key (did you mean ${JSON.stringify(suggestion)}?)`;
    this.errors.push({
      path,
      message,
      expected,
      found: JSON.stringify(key),
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }

  error(problem: ConfigProblem): void {
    this.errors.push(problem);
  }

  warn(problem: ConfigProblem): void {
    this.warnings.push(problem);
  }
}

function expectedFound(path: string, expected: string, value: unknown, suggestion?: unknown): ConfigProblem {
  const found = describeValue(value);
  const hint = suggestion === undefined ? "" : ` (did you mean ${describeValue(suggestion)}?)`;
  return {
    path,
    message: `expected ${expected}, found ${found}${hint}`,
    expected,
    found,
    ...(suggestion === undefined ? {} : { suggestion: String(suggestion) }),
  };
}
