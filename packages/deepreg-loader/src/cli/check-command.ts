// cli/check-command.ts: `deepreg-loader check` (dataset/check-dataset.ts, printed). May import
// dataset/, loader/augment-stage (the config's augmentation value) and cli/.
import { checkDataset } from "../dataset/check-dataset.js";
import type { CheckReport } from "../dataset/check-dataset.js";
import type { CheckProblem } from "../dataset/problem.js";
import { configAugmentation } from "../loader/augment-stage.js";
import type { ParsedArgs } from "./args.js";
import { loadConfig, requireSplit, selectedSplits } from "./common.js";
import { displayPath, displayPaths } from "./format-error.js";
import type { CliIO } from "./io.js";
import { createProgress } from "./progress.js";

/** Not a terminal: a progress line at most this often (and at the end), so CI logs show check is alive. */
const PROGRESS_INTERVAL_MS = 5000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `path: reason [CODE]`, paths relative to `cwd`. */
export function problemLine(problem: CheckProblem, cwd: string): string {
  return `${displayPaths(problem.message, cwd)} [${problem.code}]`;
}

function problemJson(problem: CheckProblem, cwd: string) {
  return {
    ...(problem.file === undefined ? {} : { file: displayPath(problem.file, cwd) }),
    ...(problem.key === undefined ? {} : { key: problem.key }),
    code: problem.code,
    message: displayPaths(problem.message, cwd),
  };
}

/**
 * What was checked, saying plainly whether volumes were decoded:
 * `12 volumes in 12 files: 6 images and 6 labels decoded` or, with `--headers-only`,
 * `12 volumes in 12 files: headers only (--headers-only), nothing decoded`.
 */
export function checkedText(r: CheckReport): string {
  const volumes = `${plural(r.volumesChecked, "volume")} in ${plural(r.filesChecked, "file")}`;
  return r.imagesDecoded
    ? `${volumes}: ${plural(r.imagesRead, "image")} and ${plural(r.labelsScanned, "label")} decoded`
    : `${volumes}: headers only (--headers-only), nothing decoded`;
}

/** `deepreg-loader check`: every problem of every file, one line each; exit 1 if any. */
export async function runCheck(args: ParsedArgs, io: CliIO): Promise<number> {
  const config = await loadConfig(args, io);
  const splits = selectedSplits(args, config.dataset);
  for (const split of splits) requireSplit(config.dataset, split);
  if (splits.length === 0) requireSplit(config.dataset, "train");
  const reports: CheckReport[] = [];
  for (const split of splits) {
    const progress = createProgress(io, `check ${split}`, { intervalMs: PROGRESS_INTERVAL_MS });
    try {
      reports.push(
        await checkDataset(config.dataset, split, {
          cwd: io.cwd,
          headersOnly: args.flag("headers-only"),
          workers: args.integer("workers") ?? 0,
          augmentation: configAugmentation(config),
          onProgress: (p) => progress.update(p.done, p.total, displayPath(p.file, io.cwd)),
        }),
      );
    } finally {
      progress.end();
    }
  }
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  if (args.flag("json")) {
    const json = {
      ok: problems === 0,
      type: config.dataset.type,
      splits: Object.fromEntries(
        reports.map((r) => [
          r.split,
          {
            format: r.format ?? null,
            dirs: r.scan.dirs.map((d) => displayPath(d.dir, io.cwd)),
            filesChecked: r.filesChecked,
            volumesChecked: r.volumesChecked,
            labelsScanned: r.labelsScanned,
            imagesRead: r.imagesRead,
            imagesDecoded: r.imagesDecoded,
            headersOnly: !r.imagesDecoded,
            problems: r.problems.map((p) => problemJson(p, io.cwd)),
            warnings: r.warnings.map((p) => problemJson(p, io.cwd)),
          },
        ]),
      ),
    };
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return problems === 0 ? 0 : 1;
  }
  for (const r of reports) {
    for (const p of r.problems) io.stdout.write(`${problemLine(p, io.cwd)}\n`);
    for (const w of r.warnings) io.stdout.write(`warning: ${problemLine(w, io.cwd)}\n`);
    const found = r.problems.length === 0 ? "ok" : plural(r.problems.length, "problem");
    const warned = r.warnings.length === 0 ? "" : `, ${plural(r.warnings.length, "warning")}`;
    io.stdout.write(`${r.split}: ${found}${warned} (${checkedText(r)})\n`);
  }
  return problems === 0 ? 0 : 1;
}
