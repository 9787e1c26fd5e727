// Fuzz suite (issue 12) at the loader's level: small valid datasets (paired NIfTI, grouped
// NIfTI with every pair of a group, paired H5) copied and mutated: files removed, added,
// renamed, cut short, bytes changed, symbolic links (to files, to folders, loops, dangling)
// and hidden files. Every case runs `checkDataset` and `createDataLoader` + one epoch (every
// label channel) in-process and must give, for the loader, a full epoch or a coded
// DeepRegLoaderError naming a file or folder; check must report an error exactly when the
// loader fails, with the loader's code among its problems; nothing printed; no hang.
// Seeded (FUZZ_SEED), bounded (FUZZ_RUNS).
import { cp, lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DataFormat } from "@deepreg-loader/core";
import type { DatasetConfig } from "@deepreg-loader/config";
import { capture, FUZZ_SEED, fuzzRuns } from "../../../../test-utils/fuzz.js";
import { createDataLoader } from "../loader/create-data-loader.js";
import { image, label, tempDir, writeTop } from "../loader/data-loader-fixtures.js";
import { checkDataset } from "./check-dataset.js";

/** A case slower than this is a hang. */
const CASE_LIMIT_MS = 10_000;

type Mutation =
  | { op: "remove"; file: number }
  | { op: "copy"; file: number; name: string }
  | { op: "rename"; file: number; name: string }
  | { op: "cut"; file: number; fraction: number }
  | { op: "poke"; file: number; fraction: number; byte: number }
  | { op: "junk"; folder: number; name: string }
  | { op: "dirlink"; folder: number; name: string; target: "." | ".." | "../.." | "missing" }
  | { op: "filelink"; file: number; folder: number; name: string }
  | { op: "hidden"; file: number };

const NAMES = ["a", "b", "c", "z9", "sub/d", ".x", "._a", "a.nii", "e.nii.gz", "f.nii", "g.h5", "h.txt", "images", "x/.y"];
const name = fc.constantFrom(...NAMES);
const index = fc.nat(1000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("remove" as const), file: index }),
  fc.record({ op: fc.constant("copy" as const), file: index, name }),
  fc.record({ op: fc.constant("rename" as const), file: index, name }),
  fc.record({ op: fc.constant("cut" as const), file: index, fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant("poke" as const), file: index, fraction: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.nat(255) }),
  fc.record({ op: fc.constant("junk" as const), folder: index, name }),
  fc.record({ op: fc.constant("dirlink" as const), folder: index, name, target: fc.constantFrom(".", "..", "../..", "missing") as fc.Arbitrary<"." | ".." | "../.." | "missing"> }),
  fc.record({ op: fc.constant("filelink" as const), file: index, folder: index, name }),
  fc.record({ op: fc.constant("hidden" as const), file: index }),
);

interface Template {
  name: string;
  format: DataFormat;
  config: (dir: string) => DatasetConfig;
  build: (dir: string) => Promise<void>;
}

const TEMPLATES: Template[] = [
  {
    name: "paired nifti",
    format: "nifti",
    config: (dir) => ({ type: "paired", train: { dir: [dir], format: "nifti", labeled: true }, valid: null, test: null, moving_image_shape: [3, 2, 2], fixed_image_shape: [2, 3, 2] }),
    build: async (dir) => {
      for (const [k, id] of ["a", "b"].entries()) {
        await writeTop("nifti", dir, "moving_images", { [id]: image([5, 4, 3], k) });
        await writeTop("nifti", dir, "fixed_images", { [id]: image([3, 5, 4], k + 9) });
        await writeTop("nifti", dir, "moving_labels", { [id]: label([5, 4, 3, 2], k) });
        await writeTop("nifti", dir, "fixed_labels", { [id]: label([3, 5, 4, 2], k + 1) });
      }
    },
  },
  {
    name: "grouped nifti",
    format: "nifti",
    config: (dir) => ({
      type: "grouped",
      train: { dir: [dir], format: "nifti", labeled: true },
      valid: null,
      test: null,
      moving_image_shape: [3, 2, 2],
      fixed_image_shape: [3, 2, 2],
      image_shape: [3, 2, 2],
      intra_group_prob: 1,
      intra_group_option: "unconstrained",
      sample_image_in_group: false,
    }),
    build: async (dir) => {
      await writeTop("nifti", dir, "images", { "g1/a": image([5, 4, 3], 0), "g1/b": image([5, 4, 3], 1), "g2/a": image([5, 4, 3], 2), "g2/b": image([5, 4, 3], 3) });
      await writeTop("nifti", dir, "labels", { "g1/a": label([5, 4, 3], 0), "g1/b": label([5, 4, 3], 1), "g2/a": label([5, 4, 3], 2), "g2/b": label([5, 4, 3], 3) });
    },
  },
  {
    name: "paired h5",
    format: "h5",
    config: (dir) => ({ type: "paired", train: { dir: [dir], format: "h5", labeled: true }, valid: null, test: null, moving_image_shape: [3, 2, 2], fixed_image_shape: [2, 3, 2] }),
    build: async (dir) => {
      await writeTop("h5", dir, "moving_images", { a: image([5, 4, 3], 0), b: image([5, 4, 3], 1) });
      await writeTop("h5", dir, "fixed_images", { a: image([3, 5, 4], 0), b: image([3, 5, 4], 1) });
      await writeTop("h5", dir, "moving_labels", { a: label([5, 4, 3], 0), b: label([5, 4, 3], 1) });
      await writeTop("h5", dir, "fixed_labels", { a: label([3, 5, 4], 0), b: label([3, 5, 4], 1) });
    },
  },
];

/** Files (regular, not links) and folders under `dir`, sorted, relative. */
async function tree(dir: string): Promise<{ files: string[]; folders: string[] }> {
  const files: string[] = [];
  const folders: string[] = [""];
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(join(dir, d), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = d === "" ? e.name : `${d}/${e.name}`;
      if (e.isDirectory()) {
        folders.push(rel);
        await walk(rel);
      } else if (e.isFile()) files.push(rel);
    }
  };
  await walk("");
  return { files, folders };
}

const suffixOf = (file: string, format: DataFormat) => (format === "h5" ? ".h5" : file.endsWith(".nii") ? ".nii" : ".nii.gz");

async function apply(dir: string, format: DataFormat, m: Mutation): Promise<void> {
  const { files, folders } = await tree(dir);
  const file = files.length === 0 ? undefined : join(dir, files[("file" in m ? m.file : 0) % files.length] as string);
  const folder = join(dir, folders[("folder" in m ? m.folder : 0) % folders.length] as string);
  const fresh = async (path: string) => {
    await mkdir(join(path, ".."), { recursive: true });
    if (await lstat(path).then(() => true, () => false)) return undefined;
    return path;
  };
  switch (m.op) {
    case "remove":
      if (file) await rm(file);
      return;
    case "copy":
    case "rename": {
      if (!file) return;
      const target = await fresh(join(file, "..", m.name.includes(".") ? m.name : m.name + suffixOf(file, format)));
      if (target) await (m.op === "copy" ? cp(file, target) : rename(file, target));
      return;
    }
    case "cut":
      if (file) await truncate(file, Math.floor((await stat(file)).size * m.fraction));
      return;
    case "poke": {
      if (!file) return;
      const bytes = await readFile(file);
      if (bytes.length === 0) return;
      bytes[Math.min(bytes.length - 1, Math.floor(bytes.length * m.fraction))] = m.byte;
      await writeFile(file, bytes);
      return;
    }
    case "junk": {
      const target = await fresh(join(folder, m.name.includes(".") ? m.name : `${m.name}.nii.gz`));
      if (target) await writeFile(target, "junk");
      return;
    }
    case "dirlink": {
      const target = await fresh(join(folder, m.name));
      if (target) await symlink(m.target, target);
      return;
    }
    case "filelink": {
      if (!file) return;
      const target = await fresh(join(folder, m.name.includes(".") ? m.name : m.name + suffixOf(file, format)));
      if (target) await symlink(relative(join(target, ".."), file), target);
      return;
    }
    case "hidden": {
      if (!file) return;
      const parts = file.split("/");
      const target = await fresh([...parts.slice(0, -1), `.${parts.at(-1)}`].join("/"));
      if (target) await rename(file, target);
      return;
    }
  }
}

/** One epoch of train with every label channel: undefined, or the error. */
async function epoch(config: DatasetConfig, cwd: string): Promise<unknown> {
  const loader = await createDataLoader(config, "train", { cwd, labelSampling: "all" });
  try {
    for await (const _ of loader.samples({ epoch: 0 })) void _;
  } finally {
    await loader.close();
  }
  return undefined;
}

function withinLimit<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${CASE_LIMIT_MS} ms (a hang)`)), CASE_LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

let root = "";
let remove: () => Promise<void> = async () => undefined;
let caseNumber = 0;
beforeAll(async () => {
  ({ root, remove } = await tempDir());
  for (const t of TEMPLATES) await t.build(join(root, "templates", t.name));
});
afterAll(async () => {
  await remove();
});

describe("fuzz: mutated dataset folders through checkDataset and the loader", () => {
  for (const [k, t] of TEMPLATES.entries()) {
    test(`${t.name}: a full epoch or a coded error naming a file, check agreeing, nothing printed`, async () => {
      const seen = { epochs: 0, errors: new Set<string>() };
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
          const dir = join(root, `case${(caseNumber += 1)}`);
          await cp(join(root, "templates", t.name), dir, { recursive: true });
          for (const m of mutations) await apply(dir, t.format, m);
          const config = t.config(dir);
          const checked = await capture(() => withinLimit(checkDataset(config, "train", { cwd: root }), "checkDataset"));
          const loaded = await capture(() => withinLimit(epoch(config, root), "createDataLoader + one epoch"));
          expect(checked.printed + loaded.printed).toBe("");
          if (!checked.outcome.ok) throw checked.outcome.error;
          const problems = checked.outcome.value.problems;
          const error = loaded.outcome.ok ? loaded.outcome.value : loaded.outcome.error;
          if (error === undefined) {
            expect(problems).toEqual([]);
            seen.epochs += 1;
          } else {
            const e = error as { name?: string; code?: string; file?: string; message?: string; stack?: string };
            if (e.name !== "DeepRegLoaderError") throw new Error(`expected a DeepRegLoaderError, got ${e.stack ?? String(error)}`);
            expect(typeof e.file).toBe("string");
            expect(e.message).toContain(e.file);
            expect(problems.map((p) => `${p.code} ${p.file}`)).toContain(`${e.code} ${e.file}`);
            seen.errors.add(e.code as string);
          }
          await rm(dir, { recursive: true, force: true });
        }),
        { seed: FUZZ_SEED + k, numRuns: fuzzRuns(40), endOnFailure: true },
      );
      // The mutations reach both outcomes and several kinds of error (not a suite that cannot fail).
      expect(seen.epochs).toBeGreaterThan(0);
      expect(seen.errors.size).toBeGreaterThanOrEqual(3);
    }, 120_000);
  }
});
