// cli/main.ts: `main(argv, io)`: dispatch to the commands, exit codes. May import cli/.
import { version } from "../../package.json";
import type { CommandSpec, ParsedArgs } from "./args.js";
import { parseCommandArgs } from "./args.js";
import { runCheck } from "./check-command.js";
import { didYouMean } from "../loader/did-you-mean.js";
import { runExport } from "./export-command.js";
import { errorJson, formatError } from "./format-error.js";
import { commandHelp, mainHelp, usageLine } from "./help.js";
import { runInfo } from "./info-command.js";
import type { CliIO } from "./io.js";
import { processIO } from "./io.js";
import { runPreview } from "./preview-command.js";
import { CHECK, COMMANDS, EXPORT, INFO, PREVIEW } from "./specs.js";
import { UsageError } from "./usage-error.js";

/** Exit codes: 0 fine, 1 data or config problems, 2 usage mistakes. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

type Runner = (args: ParsedArgs, io: CliIO) => Promise<number>;

const RUNNERS = new Map<CommandSpec, Runner>([
  [INFO, runInfo],
  [CHECK, runCheck],
  [EXPORT, runExport],
  [PREVIEW, runPreview],
]);

/**
 * Runs the `deepreg-loader` command line with `argv` (without `node` and the script) and returns
 * the exit code. Results go to `io.stdout`, problems and progress to `io.stderr`; never throws.
 * With `--json`, an error that ends the command is printed on stdout as `{ "errors": [...] }`
 * (see `errorJson`), still with exit code 1; usage mistakes stay text on stderr (exit 2).
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    const spec = topic === undefined ? undefined : COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && !spec) return usage(io, unknownCommand(topic));
    io[first === undefined ? "stderr" : "stdout"].write(spec ? commandHelp(spec) : mainHelp(version));
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === "-v" || first === "--version") {
    io.stdout.write(`${version}\n`);
    return EXIT_OK;
  }
  const spec = COMMANDS.find((c) => c.name === first);
  if (!spec) return usage(io, unknownCommand(first));
  let args: ParsedArgs;
  try {
    args = parseCommandArgs(spec, rest);
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error);
    throw error;
  }
  if (args.help) {
    io.stdout.write(commandHelp(spec));
    return EXIT_OK;
  }
  try {
    return await RUNNERS.get(spec)!(args, io);
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error);
    if (spec.options.json && args.flag("json")) {
      io.stdout.write(`${JSON.stringify({ errors: errorJson(error, io.cwd) }, null, 2)}\n`);
    } else {
      for (const line of formatError(error, io.cwd)) io.stderr.write(`${line}\n`);
    }
    return EXIT_PROBLEMS;
  }
}

function unknownCommand(name: string): UsageError {
  const names = COMMANDS.map((c) => c.name);
  const suggestion = didYouMean(name, names);
  const hint = suggestion ? ` (did you mean ${suggestion}?)` : `; commands: ${names.join(", ")}`;
  return new UsageError(
    name.startsWith("-") ? `unknown option ${name}${hint}` : `unknown command "${name}"${hint}`,
  );
}

function usage(io: CliIO, error: UsageError): number {
  const spec = COMMANDS.find((c) => c.name === error.command);
  io.stderr.write(`error: ${error.message}\n`);
  io.stderr.write(
    spec
      ? `usage: ${usageLine(spec)}\nRun "deepreg-loader ${spec.name} --help" for more.\n`
      : `usage: deepreg-loader <command> CONFIG... [options]\nRun "deepreg-loader --help" for more.\n`,
  );
  return EXIT_USAGE;
}
