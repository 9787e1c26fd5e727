// cli/export-command.ts: `deepreg-loader export`. May import export/, loader/ and cli/.
import { resolve } from "node:path";
import type { Split } from "@deepreg-loader/core";
import { DeepRegLoaderError, isDeepRegLoaderError } from "@deepreg-loader/core";
import { exportSamples, MANIFEST_FILE, notEmpty } from "../export/export.js";
import type { ParsedArgs } from "./args.js";
import { loadConfig } from "./common.js";
import { displayPath } from "./format-error.js";
import type { CliIO } from "./io.js";
import { openLoader } from "./loader.js";
import { createProgress } from "./progress.js";

/** `deepreg-loader export`: one epoch of a split as `.npy` files plus `manifest.json`. */
export async function runExport(args: ParsedArgs, io: CliIO): Promise<number> {
  const config = await loadConfig(args, io);
  const split = args.string("split") as Split;
  const out = resolve(io.cwd, args.string("out")!);
  const loader = await openLoader(config, args, io);
  const progress = createProgress(io, `export ${split}`);
  const epoch = args.integer("epoch") ?? 0;
  const limit = args.integer("limit");
  const total = Math.min(limit ?? Infinity, loader.plan(epoch).length);
  try {
    const manifest = await exportSamples(
      loader,
      out,
      { type: config.dataset.type, split },
      {
        epoch,
        ...(limit === undefined ? {} : { limit }),
        overwrite: args.flag("overwrite"),
        onSample: (n) => progress.update(n, total, "samples"),
      },
    ).catch((error: unknown) => {
      throw notEmptyInCliTerms(error, out);
    });
    progress.end();
    io.stdout.write(
      `wrote ${manifest.samples.length} sample${manifest.samples.length === 1 ? "" : "s"} of ${split} (epoch ${epoch}) to ${displayPath(out, io.cwd)}, listed in ${MANIFEST_FILE}\n`,
    );
    return 0;
  } finally {
    progress.end();
    await loader.close();
  }
}

/** The library's "folder not empty" error in the words of the command line (`--overwrite`). */
function notEmptyInCliTerms(error: unknown, out: string): unknown {
  const entries = isDeepRegLoaderError(error, "WRITE_FAILED") ? error.details?.notEmpty : undefined;
  if (!Array.isArray(entries)) return error;
  return new DeepRegLoaderError(
    "WRITE_FAILED",
    `${out}: the output folder is not empty (${notEmpty(entries)}); pass --overwrite to replace the previous export, or choose another folder`,
    { file: out, details: { notEmpty: entries } },
  );
}
