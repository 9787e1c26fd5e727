// cli/loader.ts: opens a split's loader for export and preview. May import loader/ and cli/.
import type { DeepRegConfig } from "@deepreg-loader/config";
import type { Split } from "@deepreg-loader/core";
import { cliAugmentation } from "../loader/augment-stage.js";
import { createDataLoader } from "../loader/create-data-loader.js";
import type { DataLoader } from "../loader/types.js";
import type { ParsedArgs } from "./args.js";
import { requireSplit, warn } from "./common.js";
import type { CliIO } from "./io.js";

/**
 * Opens the loader of `--split` with `--seed` (default 0), warnings to stderr, the config's
 * augmentation unless `--no-augment` (train only); NOT_FOUND when the split has no dir.
 */
export async function openLoader(config: DeepRegConfig, args: ParsedArgs, io: CliIO): Promise<DataLoader> {
  const split = args.string("split") as Split;
  requireSplit(config.dataset, split);
  return createDataLoader(config.dataset, split, {
    seed: args.integer("seed") ?? 0,
    cwd: io.cwd,
    onWarning: (message) => warn(io, message),
    ...cliAugmentation(args.flag("no-augment"), config),
  });
}
