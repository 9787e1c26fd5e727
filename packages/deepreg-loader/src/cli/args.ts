// cli/args.ts: argument parsing of the CLI (options, did-you-mean). The cli/ folder owns the
// `deepreg-loader` command; it may import every other folder, nothing imports it but src/cli.ts.
import { parseArgs } from "node:util";
import { didYouMean } from "../loader/did-you-mean.js";
import { UsageError } from "./usage-error.js";

/** One option of a command. */
export interface OptionSpec {
  /** `string`: the option takes a value (`--seed 42`); `boolean`: a flag (`--json`). */
  type: "string" | "boolean";
  /** One-letter alias (`-h`). */
  short?: string;
  /** Placeholder of the value in the help text (`S`, `DIR`, `N`). */
  value?: string;
  /** One line for the help text. */
  description: string;
  /** The command fails with a usage error when the option is missing. Default false. */
  required?: boolean;
  /** The value must be one of these (with "did you mean"). */
  choices?: readonly string[];
  /** The value must be an integer >= this. */
  minInteger?: number;
  /** The value must end in this (a file name extension such as `.png`; any letter case). */
  extension?: string;
}

/** A command: its name, one-line summary, arguments, options and help text. */
export interface CommandSpec {
  /** The command's name (`info`, `check`, `export`, `preview`). */
  name: string;
  /** One line for the command list of `deepreg-loader --help`. */
  summary: string;
  /** The positional arguments as shown in the usage line (`CONFIG...`). */
  positional: string;
  /** Paragraphs of the help text after the usage line. */
  description: string[];
  /** The options by long name (without `--`). */
  options: Record<string, OptionSpec>;
  /** Example command lines for the help text. */
  examples: string[];
}

/** Parsed arguments of a command; values checked against the spec. */
export interface ParsedArgs {
  /** The positional arguments, in order. */
  positionals: string[];
  /** Whether `--help` / `-h` was given. */
  help: boolean;
  /** The value of a string option, undefined when absent. */
  string(name: string): string | undefined;
  /** The value of an integer option (checked against `minInteger`), undefined when absent. */
  integer(name: string): number | undefined;
  /** Whether a boolean option was given. */
  flag(name: string): boolean;
}

/** `--help` / `-h`, which every command takes. */
export const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "show this help" };

/**
 * Parses `argv` (after the command name) with `node:util` `parseArgs`, then checks it the way a
 * user expects: unknown options get "did you mean", a string option needs a value (not the next
 * option; a negative number is a value, so `--limit -1` is reported as out of range) and is
 * given at most once, booleans take none, choices, integers and extensions are validated,
 * required options and at least one positional must be present (unless `--help`). Throws
 * `UsageError`.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options: Record<string, OptionSpec> = { help: HELP_OPTION, ...spec.options };
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(options).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const fail = (message: string) => new UsageError(message, spec.name);
  const known = Object.keys(options).map((n) => `--${n}`);
  const given = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (!option || (token.rawName.length === 2 && option.short !== token.rawName.slice(1)) ) {
      const suggestion = didYouMean(token.rawName.startsWith("--") ? token.rawName : `--${token.name}`, known);
      throw fail(
        `unknown option ${token.rawName} for "${spec.name}"` + (suggestion ? ` (did you mean ${suggestion}?)` : ""),
      );
    }
    if (option.type === "string") {
      // A negative number is a value (reported below as out of range), not the next option.
      const isNumber = option.minInteger !== undefined && /^-\d/.test(token.value ?? "");
      if (token.value === undefined || (!token.inlineValue && !isNumber && token.value.startsWith("-") && token.value.length > 1)) {
        throw fail(`option ${token.rawName} needs a value (${token.rawName} ${option.value ?? "VALUE"})`);
      }
      const previous = given.get(token.name);
      if (previous !== undefined) {
        throw fail(`--${token.name} given twice (${JSON.stringify(previous)}, then ${JSON.stringify(token.value)}); give it once`);
      }
      given.set(token.name, token.value);
    } else if (token.inlineValue) {
      throw fail(`option ${token.rawName} takes no value, found "${token.value}"`);
    }
  }
  const help = values.help === true;
  const strings = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) {
    const raw = values[name];
    if (option.type !== "string" || typeof raw !== "string") continue;
    if (option.choices && !option.choices.includes(raw)) {
      const suggestion = didYouMean(raw, option.choices);
      throw fail(
        `--${name} must be one of ${option.choices.join(", ")}, found "${raw}"` +
          (suggestion ? ` (did you mean ${suggestion}?)` : ""),
      );
    }
    if (option.minInteger !== undefined && !(/^-?\d+$/.test(raw) && Number(raw) >= option.minInteger)) {
      throw fail(`--${name} must be an integer >= ${option.minInteger}, found "${raw}"`);
    }
    if (option.extension !== undefined && !raw.toLowerCase().endsWith(option.extension)) {
      throw fail(`--${name} must end in ${option.extension}, found "${raw}"`);
    }
    strings.set(name, raw);
  }
  if (!help) {
    for (const [name, option] of Object.entries(spec.options)) {
      if (option.required && !strings.has(name)) {
        throw fail(`missing option --${name} ${option.value ?? ""}`.trimEnd());
      }
    }
    if (positionals.length === 0) throw fail(`missing ${spec.positional} (at least one config file)`);
  }
  return {
    positionals,
    help,
    string: (name) => strings.get(name),
    integer: (name) => (strings.has(name) ? Number(strings.get(name)) : undefined),
    flag: (name) => values[name] === true,
  };
}
