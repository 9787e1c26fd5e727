// cli/common.ts: config loading and split selection shared by the commands. May import config and cli/.
import { readConfig } from "@deepreg-loader/config";
import type { DatasetConfig, DeepRegConfig } from "@deepreg-loader/config";
import type { Split } from "@deepreg-loader/core";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { ParsedArgs } from "./args.js";
import { displayPaths } from "./format-error.js";
import type { CliIO } from "./io.js";
import { SPLITS } from "./specs.js";

/** Reads the command's config files relative to `io.cwd`; config warnings go to stderr. */
export async function loadConfig(args: ParsedArgs, io: CliIO): Promise<DeepRegConfig> {
  return readConfig(args.positionals, {
    cwd: io.cwd,
    onWarning: (message) => warn(io, message),
  });
}

/** Prints one warning line on stderr. */
export function warn(io: CliIO, message: string): void {
  io.stderr.write(`warning: ${displayPaths(message, io.cwd)}\n`);
}

/** The splits a command works on: `--split`, or every split the config gives a directory. */
export function selectedSplits(args: ParsedArgs, dataset: DatasetConfig): Split[] {
  const split = args.string("split") as Split | undefined;
  if (split) return [split];
  return SPLITS.filter((s) => dataset[s] !== null);
}

/** Throws NOT_FOUND when the config has no directory for `split`. */
export function requireSplit(dataset: DatasetConfig, split: Split): void {
  if (dataset[split] === null) {
    throw new DeepRegLoaderError(
      "NOT_FOUND",
      `dataset.${split}: the config gives no data directory for this split (splits with one: ${
        SPLITS.filter((s) => dataset[s] !== null).join(", ") || "none"
      })`,
    );
  }
}
