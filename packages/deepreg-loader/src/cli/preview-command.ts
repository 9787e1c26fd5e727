// cli/preview-command.ts: `deepreg-loader preview`. May import preview/, loader/ and cli/.
import { resolve } from "node:path";
import type { Sample, Split } from "@deepreg-loader/core";
import { writePreview } from "../preview/preview.js";
import type { PreviewSlice } from "../preview/preview.js";
import type { ParsedArgs } from "./args.js";
import { loadConfig } from "./common.js";
import { displayPath } from "./format-error.js";
import type { CliIO } from "./io.js";
import { openLoader } from "./loader.js";

/** Default number of samples (rows) of a preview. */
export const DEFAULT_PREVIEW_SAMPLES = 4;

/** `deepreg-loader preview`: a PNG montage of the first samples of a split. */
export async function runPreview(args: ParsedArgs, io: CliIO): Promise<number> {
  const config = await loadConfig(args, io);
  const split = args.string("split") as Split;
  const out = resolve(io.cwd, args.string("out")!);
  const count = args.integer("samples") ?? DEFAULT_PREVIEW_SAMPLES;
  const epoch = args.integer("epoch") ?? 0;
  const loader = await openLoader(config, args, io);
  const samples: Sample[] = [];
  try {
    for await (const sample of loader.samples({ epoch })) {
      samples.push(sample);
      if (samples.length >= count) break;
    }
  } finally {
    await loader.close();
  }
  const slice = (args.string("slice") ?? "mid") as PreviewSlice;
  const { width, height } = await writePreview(out, samples, { slice });
  io.stdout.write(
    `wrote ${displayPath(out, io.cwd)}: ${width}x${height} px, ${samples.length} sample${samples.length === 1 ? "" : "s"} of ${split} (epoch ${epoch})\n`,
  );
  return 0;
}
