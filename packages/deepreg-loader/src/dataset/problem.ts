// dataset/problem.ts: the one shape of a dataset problem (check's report lines, the loader's
// errors) and the one way to write "file and key". May import @deepreg-loader/core only.
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { ErrorCode } from "@deepreg-loader/core";

/** One problem of a dataset: the file (or folder) it is about and a message naming it. */
export interface CheckProblem {
  /** The file or folder the problem is about (resolved path). */
  file?: string;
  /** The H5 key, for problems of one dataset in an H5 file. */
  key?: string;
  /** The `DeepRegLoaderError` code the loader throws for this problem (e.g. `IDS_MISMATCH`). */
  code: ErrorCode;
  /** One line naming the file (and key), saying what was expected and what was found. */
  message: string;
}

/** A problem with the rule that found it and whether it stops the loader. */
export interface Problem extends CheckProblem {
  /** `error`: the loader refuses the split; `warning`: accepted but probably not meant. */
  severity: "error" | "warning";
  /** Name of the rule (see `DATASET_RULES`), or `scan` for what the scan itself observed. */
  rule: string;
}

/** `file` or `file ["key"]`: how every message names a volume. */
export function where(file: string, key?: string): string {
  return key === undefined ? file : `${file} [${JSON.stringify(key)}]`;
}

/** An error problem about `file` (and `key`), the message starting with `where(file, key)`. */
export function problem(rule: string, code: ErrorCode, file: string, key: string | undefined, text: string): Problem {
  const p: Problem = { severity: "error", rule, code, file, message: `${where(file, key)}: ${text}` };
  if (key !== undefined) p.key = key;
  return p;
}

/** The same problem as a warning. */
export function warning(rule: string, code: ErrorCode, file: string, key: string | undefined, text: string): Problem {
  return { ...problem(rule, code, file, key, text), severity: "warning" };
}

/**
 * A problem from a thrown error: its code and message when it is a DeepRegLoaderError (which
 * names the file), else `READ_FAILED`; the message is prefixed with the file when it lacks it.
 */
export function problemFromError(error: unknown, file: string, key?: string, rule = "scan"): Problem {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const isOurs = e?.name === "DeepRegLoaderError" && typeof e.code === "string";
  const message = typeof e?.message === "string" ? e.message : String(error);
  const p: Problem = {
    severity: "error",
    rule,
    file,
    code: isOurs ? (e.code as ErrorCode) : "READ_FAILED",
    message: message.includes(file) ? message : `${where(file, key)}: ${message}`,
  };
  if (key !== undefined) p.key = key;
  return p;
}

/** The error the loader throws for a problem: same code, message, file and key. */
export function errorFromProblem(p: CheckProblem, details: Record<string, unknown> = {}): DeepRegLoaderError {
  return new DeepRegLoaderError(p.code, p.message, {
    ...(p.file === undefined ? {} : { file: p.file }),
    details: { ...details, ...(p.key === undefined ? {} : { key: p.key }) },
  });
}
