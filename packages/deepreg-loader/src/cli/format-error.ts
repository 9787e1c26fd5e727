import { isAbsolute, relative, sep } from "node:path";

/** `path` relative to `cwd` when it lies inside it, else unchanged. */
export function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** `text` with every absolute path inside `cwd` shown relative to it (messages name resolved paths). */
export function displayPaths(text: string, cwd: string): string {
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
  return text.split(prefix).join("");
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
