import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "./read-config.js";

let dir = "";

const PAIRED = `dataset:
  train:
    dir: "data/train"
    format: "Nifti"
    labeled: yes
  valid:
  test:
    dir: ["data/test_a", "data/test_b"]
    format: h5
    labeled: off
  type: paired
  moving_image_shape: [5, 4, 3]
  fixed_image_shape: [3, 4, 6]
`;

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<DeepRegLoaderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeepRegLoaderError) return error;
    throw error;
  }
  throw new Error("expected readConfig to reject");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-"));
  await write("paired.yaml", PAIRED);
  await write("override.yaml", "dataset:\n  train:\n    labeled: no\n  fixed_image_shape: [2, 2, 2]\ntrain:\n  preprocess:\n    batch_size: 3\n");
  await write("bad.yaml", "dataset:\n  type: [paired\n");
  await write("typos.yaml", "dataset:\n  type: pared\n  fixed_image_shape: [8, 8]\n");
  await write("empty.yaml", "");
  await write("list.yaml", "- dataset\n");
  await write("v011.yaml", "dataset:\n  dir:\n    train: a\n  format: h5\n  labeled: true\n  type: unpaired\n  image_shape: [4, 5, 6]\n");
  await mkdir(join(dir, "folder.yaml"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readConfig", () => {
  it("readConfig(one file with YAML 1.1 booleans) -> typed config", async () => {
    expect(await readConfig(join(dir, "paired.yaml"))).toEqual({
      dataset: {
        type: "paired",
        train: { dir: ["data/train"], format: "nifti", labeled: true },
        valid: null,
        test: { dir: ["data/test_a", "data/test_b"], format: "h5", labeled: false },
        moving_image_shape: [5, 4, 3],
        fixed_image_shape: [3, 4, 6],
      },
      train: { preprocess: { batch_size: 1, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 } },
    });
  });

  it("readConfig([base, override], { cwd }) -> later files override key by key, relative to cwd", async () => {
    const config = await readConfig(["paired.yaml", "override.yaml", "empty.yaml"], { cwd: dir });
    expect(config.dataset.train).toEqual({ dir: ["data/train"], format: "nifti", labeled: false });
    expect(config.dataset.fixed_image_shape).toEqual([2, 2, 2]);
    expect(config.dataset.moving_image_shape).toEqual([5, 4, 3]);
    expect(config.train).toEqual({ preprocess: { batch_size: 3, shuffle_buffer_num_batch: 1, num_parallel_calls: -1 } });
  });

  it("readConfig(v0.1.1 layout, { onWarning }) passes each warning as one line", async () => {
    const warnings: string[] = [];
    const config = await readConfig(join(dir, "v011.yaml"), { onWarning: (m) => warnings.push(m) });
    expect(config.dataset.train).toEqual({ dir: ["a"], format: "h5", labeled: true });
    expect(config.dataset.valid).toBeNull();
    expect(warnings).toEqual([
      "dataset.dir: expected the current layout dataset.<split>: { dir, format, labeled }, found the DeepReg v0.1.1 layout (dataset.dir, dataset.format, dataset.labeled); read as the current layout",
    ]);
  });

  it("readConfig(invalid config) -> INVALID_CONFIG listing every problem on its own line", async () => {
    const error = await rejection(readConfig("typos.yaml", { cwd: dir }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.file).toBe("typos.yaml");
    expect(error.message).toBe(
      [
        "invalid config typos.yaml: 3 problems",
        'dataset.type: expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)',
        "dataset: expected at least one of train, valid, test with a dir, found none",
        "dataset.fixed_image_shape: expected a list of three positive integers [dim1, dim2, dim3], found [8, 8]",
      ].join("\n"),
    );
    expect(error.details).toEqual({
      errors: [
        {
          path: "dataset.type",
          message: 'expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)',
          expected: "one of paired, unpaired, grouped",
          found: '"pared"',
          suggestion: "paired",
          file: "typos.yaml",
        },
        {
          path: "dataset",
          message: "expected at least one of train, valid, test with a dir, found none",
          expected: "at least one of train, valid, test with a dir",
          found: "none",
          file: "typos.yaml",
        },
        {
          path: "dataset.fixed_image_shape",
          message: "expected a list of three positive integers [dim1, dim2, dim3], found [8, 8]",
          expected: "a list of three positive integers [dim1, dim2, dim3]",
          found: "[8, 8]",
          file: "typos.yaml",
        },
      ],
      warnings: [],
      files: ["typos.yaml"],
    });
  });

  it("readConfig([a, b]) invalid -> the message names both files; `file` and each error's file are where the value comes from", async () => {
    const error = await rejection(readConfig(["empty.yaml", "override.yaml"], { cwd: dir }));
    expect(error.message.split("\n")[0]).toBe("invalid config empty.yaml + override.yaml: 2 problems");
    expect(error.file).toBe("override.yaml");
    const errors = (error.details as { errors: { path: string; file: string }[] }).errors;
    expect(errors.every((e) => e.file === "override.yaml")).toBe(true);
  });

  it("readConfig(missing file) -> NOT_FOUND naming it", async () => {
    const error = await rejection(readConfig(["paired.yaml", "nope.yaml"], { cwd: dir }));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.file).toBe("nope.yaml");
    expect(error.message).toBe(`config file not found: nope.yaml (looked for ${join(dir, "nope.yaml")})`);
  });

  it("readConfig(relative path) resolves against process.cwd() by default", async () => {
    const error = await rejection(readConfig("drl-no-such-config.yaml"));
    expect(error.message).toBe(
      `config file not found: drl-no-such-config.yaml (looked for ${resolve(process.cwd(), "drl-no-such-config.yaml")})`,
    );
  });

  it("readConfig(a directory) -> READ_FAILED", async () => {
    const error = await rejection(readConfig("folder.yaml", { cwd: dir }));
    expect(error.code).toBe("READ_FAILED");
    expect(error.message).toBe("cannot read config file folder.yaml: it is a directory, expected a YAML file");
  });

  it("readConfig(YAML syntax error) -> INVALID_CONFIG naming the file and line", async () => {
    const error = await rejection(readConfig(["paired.yaml", "bad.yaml"], { cwd: dir }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.file).toBe("bad.yaml");
    expect(error.message.split("\n")[0]).toBe("invalid YAML in bad.yaml:");
    expect(error.message.split("\n")[1]).toMatch(/^bad\.yaml at line 3, column 1: /);
  });

  it("readConfig(a file whose top level is a list) -> INVALID_CONFIG naming it", async () => {
    const error = await rejection(readConfig("list.yaml", { cwd: dir }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe(
      'invalid config list.yaml: expected a mapping of sections (dataset, train, ...) at the top level, found ["dataset"]',
    );
  });

  it("readConfig([]) -> INVALID_ARGUMENT", async () => {
    const error = await rejection(readConfig([]));
    expect(error.code).toBe("INVALID_ARGUMENT");
  });
});
