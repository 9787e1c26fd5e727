// cli/help.ts: help texts from the command specs. May import cli/.
import type { CommandSpec } from "./args.js";
import { HELP_OPTION } from "./args.js";
import { COMMANDS } from "./specs.js";

const PROGRAM = "deepreg-loader";

/** The usage line of a command: `deepreg-loader export CONFIG... --split S --out DIR [--epoch N] ...`. */
export function usageLine(spec: CommandSpec): string {
  const parts = [PROGRAM, spec.name, spec.positional];
  for (const [name, o] of Object.entries(spec.options)) {
    const text = o.type === "string" ? `--${name} ${o.value ?? "VALUE"}` : `--${name}`;
    parts.push(o.required ? text : `[${text}]`);
  }
  return parts.join(" ");
}

/** The help text of a command. */
export function commandHelp(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return [flag, o.description];
  });
  const width = Math.max(...options.map(([flag]) => flag!.length)) + 2;
  return [
    `Usage: ${usageLine(spec)}`,
    "",
    spec.summary.charAt(0).toUpperCase() + spec.summary.slice(1) + ".",
    "",
    ...spec.description,
    "",
    "CONFIG...  one or more DeepReg YAML config files, later ones overriding earlier ones; paths in",
    "           them are relative to the current directory, as in DeepReg.",
    "",
    "Options:",
    ...options.map(([flag, text]) => `  ${flag!.padEnd(width)}${text}`),
    "",
    "Examples:",
    ...spec.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

/** The help text of the tool. */
export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `Usage: ${PROGRAM} <command> CONFIG... [options]`,
    "",
    `DeepReg's dataset loaders from the command line (deepreg-loader ${version}).`,
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Options:",
    "  -h, --help     show this help (or a command's help: deepreg-loader <command> --help)",
    "  -v, --version  print the version",
    "",
    "Exit codes: 0 fine, 1 data or config problems (one line each), 2 usage mistakes.",
    "",
    "Examples:",
    `  ${PROGRAM} info config/test/paired_nifti.yaml`,
    `  ${PROGRAM} check config/test/grouped_nifti.yaml config/test/labeled.yaml`,
    `  ${PROGRAM} export config/test/paired_nifti.yaml --split test --out exported/`,
    `  ${PROGRAM} preview config/test/paired_nifti.yaml --split test --out preview.png`,
    "",
  ].join("\n");
}
