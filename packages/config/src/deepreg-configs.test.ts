// Every DeepReg test config (../shared/data/deepreg/config/test), read alone and combined the
// way DeepReg's own tests combine them: a complete dataset config, then partial ones on top.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { describe, expect, it } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { readConfig } from "./read-config.js";
import type { DatasetConfig, DeepRegConfig, SplitConfig } from "./types.js";

const DEFAULT_PREPROCESS = { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 };
const CONFIG_DIR = "config/test";

function splits(train: string | string[], test: string, format: "nifti" | "h5", valid: string | null = test) {
  const split = (dir: string | string[]): SplitConfig => ({ dir: typeof dir === "string" ? [dir] : dir, format, labeled: true });
  return { train: split(train), valid: valid === null ? null : split(valid), test: split(test) };
}

const GROUPED_SETTINGS = { intra_group_prob: 1, intra_group_option: "forward", sample_image_in_group: true } as const;

/** train section of grouped_mr_heart_v011.yaml, kept as written (v0.1.1 model/loss layout). */
const V011_TRAIN = {
  model: {
    method: "ddf",
    backbone: "local",
    local: { num_channel_initial: 32, extract_levels: [0, 1, 2, 3, 4] },
  },
  loss: {
    dissimilarity: {
      image: { name: "gmi", weight: 1.0 },
      label: {
        weight: 0.0,
        name: "multi_scale",
        multi_scale: { loss_type: "dice", loss_scales: [0, 1, 2, 4, 8, 16] },
        single_scale: { loss_type: "cross-entropy" },
      },
    },
    regularization: { weight: 0.25, energy_type: "gradient-l2" },
  },
  optimizer: { name: "adam", adam: { learning_rate: 1.0e-4 } },
  preprocess: { batch_size: 4, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
  epochs: 4000,
  save_period: 1000,
};

const V011_WARNING =
  "dataset.dir: expected the current layout dataset.<split>: { dir, format, labeled }, found the DeepReg v0.1.1 layout (dataset.dir, dataset.format, dataset.labeled); read as the current layout";

/** What each complete config gives alone (full objects). */
const ALONE: Record<string, DeepRegConfig> = {
  "paired_nifti.yaml": {
    dataset: {
      type: "paired",
      ...splits("data/test/nifti/paired/train", "data/test/nifti/paired/test", "nifti"),
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [8, 8, 8],
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "paired_h5.yaml": {
    dataset: {
      type: "paired",
      train: { dir: ["data/test/h5/paired/train"], format: "h5", labeled: true },
      valid: { dir: ["data/test/h5/paired/test"], format: "h5", labeled: true },
      test: { dir: ["data/test/h5/paired/test"], format: "h5", labeled: true },
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [8, 8, 8],
    },
    train: { preprocess: { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 } },
  },
  "unpaired_nifti.yaml": {
    dataset: {
      type: "unpaired",
      ...splits("data/test/nifti/unpaired/train", "data/test/nifti/unpaired/test", "nifti"),
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "unpaired_h5.yaml": {
    dataset: {
      type: "unpaired",
      ...splits("data/test/h5/unpaired/train", "data/test/h5/unpaired/test", "h5"),
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "unpaired_nifti_multi_dirs.yaml": {
    dataset: {
      type: "unpaired",
      train: {
        dir: ["data/test/nifti/unpaired/train", "data/test/nifti/unpaired/test"],
        format: "nifti",
        labeled: true,
      },
      valid: { dir: ["data/test/nifti/unpaired/test"], format: "nifti", labeled: true },
      test: { dir: ["data/test/nifti/unpaired/test"], format: "nifti", labeled: true },
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "unpaired_nifti_no_valid.yaml": {
    dataset: {
      type: "unpaired",
      train: { dir: ["data/test/nifti/unpaired/train"], format: "nifti", labeled: true },
      valid: null,
      test: { dir: ["data/test/nifti/unpaired/test"], format: "nifti", labeled: true },
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "grouped_nifti.yaml": {
    dataset: {
      type: "grouped",
      ...splits("data/test/nifti/grouped/train", "data/test/nifti/grouped/test", "nifti"),
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
      ...GROUPED_SETTINGS,
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "grouped_h5.yaml": {
    dataset: {
      type: "grouped",
      ...splits("data/test/h5/grouped/train", "data/test/h5/grouped/test", "h5"),
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
      ...GROUPED_SETTINGS,
    },
    train: { preprocess: DEFAULT_PREPROCESS },
  },
  "grouped_mr_heart_v011.yaml": {
    dataset: {
      type: "grouped",
      train: { dir: ["demos/grouped_mr_heart/dataset/train"], format: "nifti", labeled: false },
      valid: { dir: ["demos/grouped_mr_heart/dataset/val"], format: "nifti", labeled: false },
      test: { dir: ["demos/grouped_mr_heart/dataset/test"], format: "nifti", labeled: false },
      moving_image_shape: [128, 128, 28],
      fixed_image_shape: [128, 128, 28],
      image_shape: [128, 128, 28],
      intra_group_prob: 1,
      intra_group_option: "unconstrained",
      sample_image_in_group: true,
    },
    train: V011_TRAIN,
  },
};
const COMPLETE = Object.keys(ALONE);

/** train section of ddf.yaml / affine.yaml as written. */
const DDF_TRAIN = {
  method: "ddf",
  backbone: { name: "local", num_channel_initial: 1, extract_levels: [0, 1, 2, 3, 4] },
  loss: {
    image: { name: "lncc", weight: 0.1 },
    label: { weight: 1.0, name: "dice", scales: [0, 1, 2, 4, 8, 16, 32] },
    regularization: { weight: 0.5, name: "bending" },
  },
  preprocess: { data_augmentation: { name: "affine" }, batch_size: 2, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
  optimizer: { name: "Adam", learning_rate: 1.0e-5 },
  epochs: 2,
  save_period: 2,
};
const AFFINE_TRAIN = {
  method: "ddf",
  backbone: { name: "global", num_channel_initial: 1, depth: 4 },
  loss: {
    image: { name: "lncc", weight: 0.1 },
    label: { weight: 1.0, name: "dice", scales: [0, 1, 2, 4, 8, 16, 32] },
    regularization: { weight: 0.5, name: "bending" },
  },
  preprocess: { batch_size: 2, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
  optimizer: { name: "Adam", learning_rate: 1.0e-5 },
  epochs: 2,
  save_period: 2,
};

/** grouped_mr_heart_v011 + ddf.yaml: the v0.1.1 train section deep-merged with ddf.yaml's, in full. */
const V011_DDF_TRAIN = {
  model: V011_TRAIN.model,
  method: "ddf",
  backbone: { name: "local", num_channel_initial: 1, extract_levels: [0, 1, 2, 3, 4] },
  loss: {
    dissimilarity: V011_TRAIN.loss.dissimilarity,
    image: { name: "lncc", weight: 0.1 },
    label: { weight: 1.0, name: "dice", scales: [0, 1, 2, 4, 8, 16, 32] },
    regularization: { weight: 0.5, energy_type: "gradient-l2", name: "bending" },
  },
  optimizer: { name: "Adam", adam: { learning_rate: 1.0e-4 }, learning_rate: 1.0e-5 },
  preprocess: { data_augmentation: { name: "affine" }, batch_size: 2, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
  epochs: 2,
  save_period: 2,
};
/** grouped_mr_heart_v011 + affine.yaml. */
const V011_AFFINE_TRAIN = {
  ...V011_DDF_TRAIN,
  backbone: { name: "global", num_channel_initial: 1, depth: 4 },
  preprocess: { batch_size: 2, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 },
};

// How each partial changes a complete config's expected result (a mapping merged into train
// replaces the keys it names; sub-mappings of both are merged, as in the YAML).
function withLabeled(config: DeepRegConfig, labeled: boolean): DeepRegConfig {
  const flip = (split: SplitConfig | null): SplitConfig | null => (split === null ? null : { ...split, labeled });
  const d = config.dataset;
  return { ...config, dataset: { ...d, train: flip(d.train), valid: flip(d.valid), test: flip(d.test) } };
}
function withTrain(config: DeepRegConfig, train: Record<string, unknown>): DeepRegConfig {
  const merged: Record<string, unknown> = { ...config.train };
  for (const [key, value] of Object.entries(train)) {
    const old = merged[key];
    merged[key] =
      typeof old === "object" && old !== null && !Array.isArray(old) && typeof value === "object" && value !== null
        ? { ...old, ...value }
        : value;
  }
  return { ...config, train: merged as DeepRegConfig["train"] };
}
function withShapes(config: DeepRegConfig, shapes: Partial<DatasetConfig>): DeepRegConfig {
  return { ...config, dataset: { ...config.dataset, ...shapes } };
}
function demoFor(name: string): string {
  return name.startsWith("paired") ? "demo_paired.yaml" : "demo_unpaired_grouped.yaml";
}
function withDemo(name: string, config: DeepRegConfig): DeepRegConfig {
  const shapes = name.startsWith("paired")
    ? { moving_image_shape: [16, 16, 16], fixed_image_shape: [8, 8, 8] }
    : { moving_image_shape: [16, 16, 16], fixed_image_shape: [16, 16, 16], image_shape: [16, 16, 16] };
  return withTrain(withShapes(config, shapes as Partial<DatasetConfig>), { epochs: 1, save_period: 1 });
}

async function read(files: string[], warnings: string[] = []): Promise<DeepRegConfig> {
  return readConfig(
    files.map((f) => (isAbsolute(f) ? f : `${CONFIG_DIR}/${f}`)),
    { cwd: DEEPREG_DATA ?? ".", onWarning: (m) => warnings.push(m) },
  );
}
async function rejection(files: string[]): Promise<DeepRegLoaderError> {
  try {
    await read(files);
  } catch (error) {
    if (error instanceof DeepRegLoaderError) return error;
    throw error;
  }
  throw new Error(`expected ${files.join(" + ")} to be rejected`);
}
const expectedWarnings = (name: string): string[] => (name.includes("v011") ? [V011_WARNING] : []);

describe.skipIf(!DEEPREG_DATA)("readConfig(DeepReg test configs)", () => {
  it.each(COMPLETE)("readConfig(%s) alone -> the typed config", async (name) => {
    const warnings: string[] = [];
    expect(await read([name], warnings)).toEqual(ALONE[name]);
    expect(warnings).toEqual(expectedWarnings(name));
  });

  it("readConfig(paired_nifti + unlabeled + ddf + demo_paired) -> pinned in full", async () => {
    expect(await read(["paired_nifti.yaml", "unlabeled.yaml", "ddf.yaml", "demo_paired.yaml"])).toEqual({
      dataset: {
        type: "paired",
        train: { dir: ["data/test/nifti/paired/train"], format: "nifti", labeled: false },
        valid: { dir: ["data/test/nifti/paired/test"], format: "nifti", labeled: false },
        test: { dir: ["data/test/nifti/paired/test"], format: "nifti", labeled: false },
        moving_image_shape: [16, 16, 16],
        fixed_image_shape: [8, 8, 8],
      },
      train: {
        method: "ddf",
        backbone: { name: "local", num_channel_initial: 1, extract_levels: [0, 1, 2, 3, 4] },
        loss: {
          image: { name: "lncc", weight: 0.1 },
          label: { weight: 1.0, name: "dice", scales: [0, 1, 2, 4, 8, 16, 32] },
          regularization: { weight: 0.5, name: "bending" },
        },
        preprocess: {
          data_augmentation: { name: "affine" },
          batch_size: 2,
          shuffle_buffer_num_batch: 1,
          num_parallel_calls: -1,
        },
        optimizer: { name: "Adam", learning_rate: 1.0e-5 },
        epochs: 1,
        save_period: 1,
      },
    });
  });

  it("readConfig(grouped_mr_heart_v011 + labeled + demo_unpaired_grouped) -> split keys win, shapes replaced", async () => {
    const config = await read(["grouped_mr_heart_v011.yaml", "labeled.yaml", "demo_unpaired_grouped.yaml"]);
    expect(config.dataset).toEqual({
      type: "grouped",
      train: { dir: ["demos/grouped_mr_heart/dataset/train"], format: "nifti", labeled: true },
      valid: { dir: ["demos/grouped_mr_heart/dataset/val"], format: "nifti", labeled: true },
      test: { dir: ["demos/grouped_mr_heart/dataset/test"], format: "nifti", labeled: true },
      moving_image_shape: [16, 16, 16],
      fixed_image_shape: [16, 16, 16],
      image_shape: [16, 16, 16],
      intra_group_prob: 1,
      intra_group_option: "unconstrained",
      sample_image_in_group: true,
    });
    expect(config.train).toEqual({ ...V011_TRAIN, epochs: 1, save_period: 1 });
  });

  describe.each(COMPLETE)("%s + one partial", (name) => {
    const alone = (): DeepRegConfig => ALONE[name] as DeepRegConfig;
    it.each([
      ["labeled.yaml", () => withLabeled(alone(), true)],
      ["unlabeled.yaml", () => withLabeled(alone(), false)],
      ["ddf.yaml", () => (name.includes("v011") ? { ...alone(), train: V011_DDF_TRAIN } : withTrain(alone(), DDF_TRAIN))],
      ["affine.yaml", () => (name.includes("v011") ? { ...alone(), train: V011_AFFINE_TRAIN } : withTrain(alone(), AFFINE_TRAIN))],
      ["dvf.yaml", () => withTrain(alone(), { method: "dvf" })],
      ["demo", () => withDemo(name, alone())],
    ])(`readConfig([${name}, %s])`, async (partial, expected) => {
      const warnings: string[] = [];
      const file = partial === "demo" ? demoFor(name) : partial;
      expect(await read([name, file], warnings)).toEqual(expected());
      expect(warnings).toEqual(expectedWarnings(name));
    });
  });

  // DeepReg's tests combine a dataset config, labeled/unlabeled and a method config.
  describe.each(COMPLETE.filter((n) => !n.includes("v011")))("%s + labeled|unlabeled + method", (name) => {
    const alone = (): DeepRegConfig => ALONE[name] as DeepRegConfig;
    it.each([
      ["labeled.yaml", "ddf.yaml", () => withTrain(withLabeled(alone(), true), DDF_TRAIN)],
      ["unlabeled.yaml", "affine.yaml", () => withTrain(withLabeled(alone(), false), AFFINE_TRAIN)],
      ["labeled.yaml", "conditional.yaml", () => withTrain(withLabeled(alone(), true), { method: "conditional" })],
      ["unlabeled.yaml", "dvf.yaml", () => withTrain(withLabeled(alone(), false), { method: "dvf" })],
    ])(`readConfig([${name}, %s, %s])`, async (labels, method, expected) => {
      expect(await read([name, labels, method])).toEqual(expected());
    });

    it("readConfig([dataset, unlabeled, conditional]) -> INVALID_CONFIG, conditional needs labels", async () => {
      const error = await rejection([name, "unlabeled.yaml", "conditional.yaml"]);
      const active = (["train", "valid", "test"] as const).filter((s) => (alone().dataset[s] ?? null) !== null);
      expect(error.message.split("\n").slice(1)).toEqual(
        active.map((s) => `dataset.${s}.labeled: expected true (train.method "conditional" needs labeled data), found false`),
      );
    });
  });

  it("readConfig(grouped_mr_heart_v011 + conditional) -> INVALID_CONFIG at dataset.labeled (unlabeled)", async () => {
    const error = await rejection(["grouped_mr_heart_v011.yaml", "conditional.yaml"]);
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe(
      [
        "invalid config config/test/grouped_mr_heart_v011.yaml + config/test/conditional.yaml: 1 problem",
        'dataset.labeled: expected true (train.method "conditional" needs labeled data), found false',
      ].join("\n"),
    );
  });

  it.each([
    [
      "labeled.yaml",
      [
        "dataset.type: expected one of paired, unpaired, grouped, found nothing",
        "dataset: expected at least one of train, valid, test with a dir, found none",
      ],
    ],
    [
      "unlabeled.yaml",
      [
        "dataset.type: expected one of paired, unpaired, grouped, found nothing",
        "dataset: expected at least one of train, valid, test with a dir, found none",
      ],
    ],
    [
      "demo_paired.yaml",
      [
        "dataset.type: expected one of paired, unpaired, grouped, found nothing",
        "dataset: expected at least one of train, valid, test with a dir, found none",
      ],
    ],
    [
      "demo_unpaired_grouped.yaml",
      [
        "dataset.type: expected one of paired, unpaired, grouped, found nothing",
        "dataset: expected at least one of train, valid, test with a dir, found none",
      ],
    ],
    ["ddf.yaml", ["dataset: expected a mapping with type, train, valid, test and the image shapes, found nothing"]],
    ["affine.yaml", ["dataset: expected a mapping with type, train, valid, test and the image shapes, found nothing"]],
    ["conditional.yaml", ["dataset: expected a mapping with type, train, valid, test and the image shapes, found nothing"]],
    ["dvf.yaml", ["dataset: expected a mapping with type, train, valid, test and the image shapes, found nothing"]],
  ])("readConfig(%s) alone -> INVALID_CONFIG (a partial config)", async (name, problems) => {
    const error = await rejection([name]);
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.file).toBe(`${CONFIG_DIR}/${name}`);
    expect(error.message).toBe(
      [`invalid config ${CONFIG_DIR}/${name}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, ...problems].join(
        "\n",
      ),
    );
  });

  it("readConfig(labeled + unlabeled + ddf + demo_paired) still lacks the dataset type and dirs", async () => {
    const error = await rejection(["labeled.yaml", "unlabeled.yaml", "ddf.yaml", "demo_paired.yaml"]);
    expect(error.message.split("\n").slice(1)).toEqual([
      "dataset.type: expected one of paired, unpaired, grouped, found nothing",
      "dataset: expected at least one of train, valid, test with a dir, found none",
    ]);
  });

  it("readConfig(copy of paired_nifti.yaml with typos and yes/no) -> every problem, YAML 1.1 booleans", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drl-"));
    try {
      const text = await readFile(deepregPath(CONFIG_DIR, "paired_nifti.yaml"), "utf8");
      const edited = text
        .replace('type: "paired"', 'type: "pared"')
        .replace('format: "nifti"', 'format: "nii"')
        .replaceAll("labeled: true", "labeled: yes")
        .replace("fixed_image_shape: [8, 8, 8]", "fixed_image_shape: [8, 8]\n  moving_image_shap: [1, 2, 3]");
      await writeFile(join(dir, "typos.yaml"), edited);
      await writeFile(join(dir, "fixed.yaml"), 'dataset:\n  type: paired\n  train:\n    format: Nifti\n    labeled: no\n');
      const error = await rejection([join(dir, "typos.yaml")]);
      expect(error.message.split("\n").slice(1)).toEqual([
        'dataset.moving_image_shap: unknown key (did you mean "moving_image_shape"?)',
        'dataset.type: expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)',
        'dataset.train.format: expected one of nifti, h5, found "nii" (did you mean "nifti"?)',
        "dataset.fixed_image_shape: expected a list of three positive integers [dim1, dim2, dim3], found [8, 8]",
      ]);
      await writeFile(join(dir, "typos.yaml"), edited.replace("  moving_image_shap: [1, 2, 3]\n", "").replace("[8, 8]", "[8, 8, 8]"));
      const config = await read([join(dir, "typos.yaml"), join(dir, "fixed.yaml")]);
      const alone = ALONE["paired_nifti.yaml"] as DeepRegConfig;
      expect(config).toEqual({
        ...alone,
        dataset: { ...alone.dataset, train: { dir: ["data/test/nifti/paired/train"], format: "nifti", labeled: false } },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("deepregPath(config/test) holds exactly the configs tested here", async () => {
    const { readdir } = await import("node:fs/promises");
    const partials = ["labeled.yaml", "unlabeled.yaml", "ddf.yaml", "affine.yaml", "conditional.yaml", "dvf.yaml", "demo_paired.yaml", "demo_unpaired_grouped.yaml"];
    expect((await readdir(deepregPath(CONFIG_DIR))).sort()).toEqual([...COMPLETE, ...partials].sort());
  });
});
