// cli/format-error.ts: errors and paths as the CLI prints them. May import core and cli/.
import { isAbsolute, relative, sep } from "node:path";
import { formatConfigProblem } from "@deepreg-loader/config";
import type { ConfigProblem } from "@deepreg-loader/config";

/** `path` relative to `cwd` when it lies inside it, else unchanged. */
export function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** Messages say `(looked for /abs/path)` where the resolved path is the point: kept absolute. */
const LOOKED_FOR = /(\(looked for [^)]*\))/;

/**
 * `text` with every absolute path inside `cwd` shown relative to it (messages name resolved
 * paths), except inside `(looked for ...)`, which shows where a missing file was looked for.
 */
export function displayPaths(text: string, cwd: string): string {
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
  return text
    .split(LOOKED_FOR)
    .map((part, i) => (i % 2 === 1 ? part : part.split(prefix).join("")))
    .join("");
}

/**
 * The lines to print for an error that ends a command (exit code 1): a `DeepRegLoaderError`'s
 * message, one line per line of it (an invalid config lists one problem per line), paths shown
 * relative to `cwd`, the code in brackets on the first line. Anything else is an internal error:
 * its message only, never a stack trace.
 */
export function formatError(error: unknown, cwd: string): string[] {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  const lines = displayPaths(message, cwd).split("\n").filter((l) => l.trim() !== "");
  if (e?.name === "DeepRegLoaderError" && typeof e.code === "string") {
    const [first = "", ...rest] = lines;
    return [`error: ${first} [${e.code}]`, ...rest.map((l) => `  ${l.trim()}`)];
  }
  return [`error: internal error: ${lines.join(" ")}`];
}

/** One entry of `{ "errors": [...] }`, what a `--json` command prints when it stops on an error. */
export interface ErrorJson {
  /** The `DeepRegLoaderError` code, or `INTERNAL`. */
  code: string;
  /** The file the error is about, relative to `cwd` when inside it. */
  file?: string;
  /** The config key (dot-path) of an `INVALID_CONFIG` problem. */
  path?: string;
  /** The error's message, paths relative to `cwd` (for a config problem: `path: message`). */
  message: string;
}

/**
 * The `errors` of an error that ends a `--json` command: one entry per config problem for an
 * invalid config (`details.errors`), else one entry; `code` `INTERNAL` for an error that is not
 * a `DeepRegLoaderError`.
 */
export function errorJson(error: unknown, cwd: string): ErrorJson[] {
  const e = error as { name?: unknown; code?: unknown; message?: unknown; file?: unknown; details?: { errors?: unknown } };
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (e?.name !== "DeepRegLoaderError" || typeof e.code !== "string") {
    return [{ code: "INTERNAL", message: displayPaths(message, cwd) }];
  }
  const code = e.code;
  const file = typeof e.file === "string" ? { file: displayPath(e.file, cwd) } : {};
  const problems = e.details?.errors;
  if (code === "INVALID_CONFIG" && Array.isArray(problems) && problems.length > 0) {
    return (problems as ConfigProblem[]).map((p) => ({
      code,
      ...file,
      path: p.path,
      message: displayPaths(formatConfigProblem(p), cwd),
    }));
  }
  return [{ code, ...file, message: displayPaths(message, cwd) }];
}
