import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { WarningHandler } from "@deepreg-loader/core";
import { mergeConfigs } from "./merge-configs.js";
import { parseConfigYaml } from "./parse-config-yaml.js";
import { describeValue, formatConfigProblem, isMapping } from "./problems.js";
import type { DeepRegConfig } from "./types.js";
import { validateConfig } from "./validate-config.js";
import type { ValidateConfigOptions } from "./validate-config.js";

/** Options of {@link readConfig}: where relative paths start, where warnings go, and `validateConfig`'s options. */
export interface ReadConfigOptions extends ValidateConfigOptions {
  /** Directory that relative config paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Receives each warning as one line (`dataset.dir: expected the current layout ...`). Default: dropped. */
  onWarning?: WarningHandler;
}

/**
 * Reads one or more YAML config files (later ones override earlier ones key by key: mappings
 * are merged recursively, lists and scalars replace), then validates and normalises the result
 * with `validateConfig`. A leading `~/` means the home directory, as in DeepReg.
 *
 * Throws `DeepRegLoaderError`: `NOT_FOUND` naming a missing file, `READ_FAILED` when a file
 * cannot be read, `INVALID_CONFIG` for a YAML problem (file, line, column), a file whose
 * top level is not a mapping, or an invalid merged config (the message lists every problem on
 * its own line; `details: { errors, warnings, files }`, each error with the `file` whose value it is about;
 * `file`: the first error's file).
 *
 * @example
 * ```ts
 * import { readConfig } from "@deepreg-loader/config";
 *
 * // Run from DeepReg's data folder; later files override earlier ones.
 * const config = await readConfig(["config/test/paired_nifti.yaml"], {
 *   onWarning: (line) => console.log("warning:", line),
 * });
 * console.log(config.dataset.type, config.dataset.moving_image_shape, config.dataset.train?.dir);
 * // paired [ 16, 16, 16 ] [ 'data/test/nifti/paired/train' ]
 * console.log(config.train.preprocess);
 * // { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 }
 * ```
 */
export async function readConfig(paths: string | readonly string[], options: ReadConfigOptions = {}): Promise<DeepRegConfig> {
  const files = typeof paths === "string" ? [paths] : [...paths];
  if (files.length === 0) {
    throw new DeepRegLoaderError("INVALID_ARGUMENT", "readConfig: expected at least one config file, found none");
  }
  const cwd = options.cwd ?? process.cwd();
  const objects: unknown[] = [];
  for (const file of files) objects.push(await readOne(file, cwd));

  const result = validateConfig(mergeConfigs(objects), options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  if (options.onWarning) for (const warning of result.warnings) options.onWarning(formatConfigProblem(warning));
  if (result.ok) return result.config;

  const count = result.errors.length;
  const errors = result.errors.map((problem) => ({ ...problem, file: sourceFile(problem.path, objects, files) }));
  const lines = errors.map(formatConfigProblem);
  throw new DeepRegLoaderError(
    "INVALID_CONFIG",
    `invalid config ${files.join(" + ")}: ${count} problem${count === 1 ? "" : "s"}\n${lines.join("\n")}`,
    {
      file: errors[0]?.file ?? files.at(-1),
      details: { errors, warnings: result.warnings, files },
    },
  );
}

/**
 * The file a merged value at dot-path `path` comes from: the last file that sets the path, or
 * else its nearest parent (a missing key is blamed on the file that wrote its section), or
 * else the last file.
 */
function sourceFile(path: string, objects: readonly unknown[], files: readonly string[]): string {
  const segments = path === "" ? [] : path.replace(/\[(\d+)\]/g, ".$1").split(".");
  for (let length = segments.length; length > 0; length--) {
    for (let i = objects.length - 1; i >= 0; i--) {
      if (hasPath(objects[i], segments.slice(0, length))) return files[i] as string;
    }
  }
  return files.at(-1) as string;
}

function hasPath(value: unknown, segments: readonly string[]): boolean {
  let current = value;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isMapping(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return false;
  }
  return current !== undefined;
}

async function readOne(file: string, cwd: string): Promise<unknown> {
  const full = resolve(cwd, file === "~" || file.startsWith("~/") ? homedir() + file.slice(1) : file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new DeepRegLoaderError("NOT_FOUND", `config file not found: ${file} (looked for ${full})`, { file, cause });
    }
    const reason = code === "EISDIR" ? "it is a directory, expected a YAML file" : String((cause as Error).message);
    throw new DeepRegLoaderError("READ_FAILED", `cannot read config file ${file}: ${reason}`, { file, cause });
  }
  const parsed = parseConfigYaml(text, file);
  if (parsed === null || parsed === undefined) return {}; // an empty file is an empty config
  if (!isMapping(parsed)) {
    throw new DeepRegLoaderError(
      "INVALID_CONFIG",
      `invalid config ${file}: expected a mapping of sections (dataset, train, ...) at the top level, found ${describeValue(parsed)}`,
      { file },
    );
  }
  return parsed;
}
