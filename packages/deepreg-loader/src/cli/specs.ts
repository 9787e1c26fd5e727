// cli/specs.ts: the commands and options of the CLI, with their help text. May import cli/args.
import type { CommandSpec, OptionSpec } from "./args.js";

export const SPLITS = ["train", "valid", "test"] as const;

const split = (required: boolean): OptionSpec => ({
  type: "string",
  value: "S",
  choices: SPLITS,
  required,
  description: required ? "the split: train, valid or test" : "only this split: train, valid or test (default: every split the config has)",
});

const json: OptionSpec = { type: "boolean", description: "print JSON instead of text" };
const seed: OptionSpec = { type: "string", value: "N", minInteger: 0, description: "random seed of the sample order and label choice (default 0)" };
const noAugment: OptionSpec = {
  type: "boolean",
  description: "train split: show the samples without the config's data_augmentation (default: augmented, as DeepReg trains)",
};
const epoch: OptionSpec = { type: "string", value: "N", minInteger: 0, description: "epoch to take the samples from (default 0)" };

export const INFO: CommandSpec = {
  name: "info",
  summary: "describe each split: type, format, counts, shapes, label channels",
  positional: "CONFIG...",
  description: [
    "Reads the config files (later ones override earlier ones, like DeepReg) and, for each split,",
    "the file headers (NIfTI header, H5 shapes) to report the dataset type and format, the number of",
    "images, groups, image pairs per epoch and samples per epoch (with every label channel of a pair",
    "iterated for valid/test), the shapes found on disk and the output shapes, and the label channels.",
  ],
  options: { split: split(false), json },
  examples: ["deepreg-loader info config/test/paired_nifti.yaml", "deepreg-loader info grouped_nifti.yaml labeled.yaml --split train --json"],
};

export const CHECK: CommandSpec = {
  name: "check",
  summary: "pre-flight check of every file; lists every problem",
  positional: "CONFIG...",
  description: [
    "Checks every file of each split before training with the rules the loader applies, so a",
    "clean check means the loader can stream every sample: folders/files present and not empty",
    "(hidden files are skipped, with a warning), every image and label decoded in full (finds",
    "compressed data cut short or corrupt), images 3D with finite values and a finite max - min,",
    "labels 3D or 4D with values in [0, 1], file ids or H5 keys matching across folders/files,",
    "moving and fixed label channel counts equal, grouped H5 keys group-<g>-<i>, groups big enough",
    "for the sampling (2 images per group when intra_group_prob > 0, 2 groups when it is < 1),",
    "unpaired data with at least 2 images.",
    "--headers-only reads headers only (quick; a .nii.gz cut short passes) and the summary says so.",
    "Progress goes to stderr: a live line on a terminal, else a line every few seconds.",
    "Prints every problem on its own line (file and reason) and exits 1 if there is any, 0 if clean.",
  ],
  options: {
    split: split(false),
    json,
    "headers-only": {
      type: "boolean",
      description: "read headers only, decode nothing (quick; misses corrupt or truncated compressed data)",
    },
    workers: {
      type: "string",
      value: "N",
      minInteger: 0,
      description: "worker threads that decode (the loader's worker pool; default 0: the main thread)",
    },
  },
  examples: ["deepreg-loader check config/test/unpaired_h5.yaml", "deepreg-loader check train.yaml --split valid --json"],
};

export const EXPORT: CommandSpec = {
  name: "export",
  summary: "write a split's samples as .npy files plus manifest.json",
  positional: "CONFIG...",
  description: [
    "Writes the samples of one epoch of a split, in stream order, as float32 C-order .npy files",
    "(00000_moving_image.npy, 00000_fixed_image.npy, 00000_moving_label.npy, 00000_fixed_label.npy, ...)",
    "and manifest.json listing them with their indices. Read them in Python with numpy.load.",
    "The train split is augmented as the config's train.preprocess.data_augmentation asks (each",
    "sample's parameters are in the manifest); --no-augment writes it un-augmented.",
    "The output folder must be empty or missing (or give --overwrite); if a sample cannot be read,",
    "the files written so far are removed, so no half export remains.",
  ],
  options: {
    split: split(true),
    out: { type: "string", value: "DIR", required: true, description: "output folder (created if missing; refused if not empty)" },
    epoch,
    limit: { type: "string", value: "N", minInteger: 1, description: "write at most N samples (default: the whole epoch)" },
    seed,
    overwrite: {
      type: "boolean",
      description: "write into a folder that is not empty: remove the previous export's .npy files and manifest.json first",
    },
    "no-augment": noAugment,
  },
  examples: ["deepreg-loader export config/test/paired_nifti.yaml --split test --out exported/"],
};

export const PREVIEW: CommandSpec = {
  name: "preview",
  summary: "draw a PNG montage of samples with label overlays",
  positional: "CONFIG...",
  description: [
    "Draws the first samples of a split as a PNG: one row per sample, the middle slice along the",
    "last axis (vol[:, :, d3 // 2], first axis to the right, second axis up) of the moving image and",
    "of the fixed image in grey, each with its label over it in colour (opacity 0.5 x label value,",
    "colour by label index), scaled up by an integer factor to at least 128 px per tile.",
    "--slice label moves each tile's slice to its label's centre of mass along the last axis (the",
    "middle slice when the label is empty), so small labels such as landmarks show.",
  ],
  options: {
    split: split(true),
    out: { type: "string", value: "FILE.png", required: true, extension: ".png", description: "the PNG file to write (its folder is created)" },
    samples: { type: "string", value: "N", minInteger: 1, description: "number of samples (rows) to draw (default 4)" },
    slice: {
      type: "string",
      value: "S",
      choices: ["mid", "label"],
      description: "which slice: mid (the middle, default) or label (each tile at its label's centre of mass)",
    },
    epoch,
    seed,
    "no-augment": noAugment,
  },
  examples: [
    "deepreg-loader preview config/test/paired_nifti.yaml --split test --out preview.png",
    "deepreg-loader preview config/test/paired_nifti.yaml --split train --out landmarks.png --slice label",
  ],
};

export const COMMANDS: readonly CommandSpec[] = [INFO, CHECK, EXPORT, PREVIEW];
