import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "@deepreg-loader/config";
import type { Split } from "@deepreg-loader/core";
import { writeH5 } from "@deepreg-loader/io-h5";
import { DEEPREG_DATA } from "../../../../test-utils/deepreg-data.js";
import { createDataLoader } from "../loader/create-data-loader.js";
import { run } from "./test-io.js";

const DIST_CLI = new URL("../../dist/cli.js", import.meta.url).pathname;
import { put, ramp } from "../loader/data-loader-fixtures.js";

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "drl-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!DEEPREG_DATA)("deepreg-loader info on the DeepReg test data", () => {
  const cwd = DEEPREG_DATA!;
  const info = async (...configs: string[]) => {
    const r = await run(["info", ...configs.map((c) => `config/test/${c}`), "--json"], cwd);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };
  const pick = (json: { splits: Record<string, Record<string, unknown>> }) =>
    Object.fromEntries(
      Object.entries(json.splits).map(([split, s]) => [
        split,
        [s.images, s.groups, s.pairsPerEpoch, s.samplesPerEpoch, s.labelChannels],
      ]),
    );

  it("info paired_nifti.yaml --json", async () => {
    const json = await info("paired_nifti.yaml");
    expect([json.type, json.movingImageShape, json.fixedImageShape]).toEqual(["paired", [16, 16, 16], [8, 8, 8]]);
    expect(pick(json)).toEqual({
      train: [25, null, 25, 25, { 1: 6, 2: 5, 3: 14 }],
      valid: [2, null, 2, 6, { 3: 2 }],
      test: [2, null, 2, 6, { 3: 2 }],
    });
    expect(json.splits.train.shapes.moving_labels).toEqual([
      { shape: [64, 64, 60, 3], count: 14 },
      { shape: [64, 64, 60], count: 6 },
      { shape: [64, 64, 60, 2], count: 5 },
    ]);
    expect(json.splits.train.shapes.fixed_images).toEqual([{ shape: [44, 59, 41], count: 25 }]);
    expect([json.splits.train.labelSampling, json.splits.test.labelSampling]).toEqual(["sample", "all"]);
    expect(json.splits.valid.dirs).toEqual(["data/test/nifti/paired/test"]);
  });

  it("info unpaired_h5.yaml --json", async () => {
    expect(pick(await info("unpaired_h5.yaml"))).toEqual({
      train: [4, null, 2, 2, { 3: 4 }],
      valid: [2, null, 1, 3, { 3: 2 }],
      test: [2, null, 1, 3, { 3: 2 }],
    });
  });

  it("info grouped_nifti.yaml labeled.yaml --json", async () => {
    const json = await info("grouped_nifti.yaml", "labeled.yaml");
    expect(pick(json)).toEqual({
      train: [7, 2, 2, 2, { 3: 7 }],
      valid: [2, 1, 1, 3, { 3: 2 }],
      test: [2, 1, 1, 3, { 3: 2 }],
    });
    expect(json.splits.train.groupSizes).toEqual([4, 3]);
  });

  it("info grouped_h5.yaml unlabeled.yaml --split valid --json", async () => {
    const json = await info("grouped_h5.yaml", "unlabeled.yaml");
    expect(pick(json).valid).toEqual([2, 1, 1, 1, null]);
  });

  it("info agrees with createDataLoader: pairs = numSamples, samples = plan(0).length", async () => {
    for (const configs of [["paired_nifti.yaml"], ["unpaired_h5.yaml"], ["grouped_nifti.yaml", "labeled.yaml"]]) {
      const json = await info(...configs);
      const config = await readConfig(configs.map((c) => `config/test/${c}`), { cwd });
      for (const split of ["train", "valid", "test"] as Split[]) {
        const loader = await createDataLoader(config.dataset, split, { cwd, workers: 0 });
        expect([configs[0], split, json.splits[split].pairsPerEpoch, json.splits[split].samplesPerEpoch]).toEqual([
          configs[0],
          split,
          loader!.numSamples,
          loader!.plan(0).length,
        ]);
        await loader!.close();
      }
    }
  });

  it("info unpaired_nifti_multi_dirs.yaml --split train merges equal shapes across data dirs", async () => {
    const json = await info("unpaired_nifti_multi_dirs.yaml");
    expect(json.splits.train.shapes).toEqual({
      images: [{ shape: [64, 64, 60], count: 16 }],
      labels: [{ shape: [64, 64, 60, 3], count: 16 }],
    });
    const r = await run(["info", "config/test/unpaired_nifti_multi_dirs.yaml", "--split", "train"], cwd);
    expect(r.stdout.split("\n").slice(4, 6)).toEqual([
      "  shapes on disk:    images [64, 64, 60] x16",
      "                     labels [64, 64, 60, 3] x16",
    ]);
  });

  it("info grouped_mr_heart_v011.yaml --split test (data dir absent) prints only the error, exit 1", async () => {
    const r = await run(["info", "config/test/grouped_mr_heart_v011.yaml", "--split", "test"], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        "grouped dataset, image shape [128, 128, 28]",
        "",
        "test: nifti, unlabeled, demos/grouped_mr_heart/dataset/test",
        `  demos/grouped_mr_heart/dataset/test: data directory not found (looked for ${cwd}/demos/grouped_mr_heart/dataset/test) [NOT_FOUND]`,
        "",
      ].join("\n"),
    );
  });

  it("info paired_nifti.yaml (text)", async () => {
    const r = await run(["info", "config/test/paired_nifti.yaml", "--split", "test"], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "paired dataset, moving image shape [16, 16, 16], fixed image shape [8, 8, 8]",
        "",
        "test: nifti, labeled, data/test/nifti/paired/test",
        "  images:            2 image pairs",
        "  shapes on disk:    moving_images [64, 64, 60] x2",
        "                     fixed_images [44, 59, 41] x2",
        "                     moving_labels [64, 64, 60, 3] x2",
        "                     fixed_labels [44, 59, 41, 3] x2",
        "  label channels:    3 (2 pairs)",
        "  pairs per epoch:   2",
        "  samples per epoch: 6 (every label of each pair)",
        "",
      ].join("\n"),
    );
  });
});

describe.skipIf(!DEEPREG_DATA)("deepreg-loader check on the DeepReg test data", () => {
  it.each([
    ["paired_nifti.yaml"],
    ["paired_h5.yaml"],
    ["unpaired_nifti.yaml"],
    ["unpaired_h5.yaml"],
    ["grouped_nifti.yaml", "labeled.yaml"],
    ["grouped_h5.yaml"],
    ["unpaired_nifti_multi_dirs.yaml"],
  ])("check %s is clean, exit 0", async (...configs) => {
    const r = await run(["check", ...configs.map((c) => `config/test/${c}`)], DEEPREG_DATA!);
    // Nothing but the progress lines `check` writes every 5 s off a terminal (a slow, loaded machine).
    expect(r.stderr.split("\n").filter((l) => l !== "" && !/^check (train|valid|test) \d+\/\d+ /.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean).map((l) => l.replace(/ \(.*/, ""))).toEqual(["train: ok", "valid: ok", "test: ok"]);
  });

  it("check paired_h5.yaml --split train on a terminal draws progress on stderr and clears it", async () => {
    const r = await run(["check", "config/test/paired_h5.yaml", "--split", "train"], DEEPREG_DATA!, true);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "train: ok (12 volumes in 4 files: 6 images and 6 labels decoded)\n",
    );
    const frames = r.stderr.split("\r\x1b[K").filter(Boolean);
    expect(frames).toHaveLength(12);
    expect(frames[0]).toBe("check train 1/12 data/test/h5/paired/train/moving_images.h5");
    expect(r.stderr.endsWith("\r\x1b[K")).toBe(true);
  });

  it("check paired_nifti.yaml --split train --json", async () => {
    const r = await run(["check", "config/test/paired_nifti.yaml", "--split", "train", "--json"], DEEPREG_DATA!);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      type: "paired",
      splits: {
        train: {
          format: "nifti",
          dirs: ["data/test/nifti/paired/train"],
          filesChecked: 100,
          volumesChecked: 100,
          labelsScanned: 50,
          imagesRead: 50,
          imagesDecoded: true,
          headersOnly: false,
          problems: [],
          warnings: [],
        },
      },
    });
  });
});

describe("deepreg-loader check on broken data (temp folder)", () => {
  it("check broken.yaml reports every problem on its own line naming the file, exit 1", async () => {
    const root = join(tmp, "broken");
    const d = join(root, "train");
    for (const id of ["a", "b", "c"]) await put(join(d, "images", `${id}.nii.gz`), ramp([5, 4, 3], 255));
    await put(join(d, "images", "flat.nii.gz"), ramp([5, 4], 255));
    await put(join(d, "labels", "a.nii.gz"), ramp([5, 4, 3, 3]));
    await put(join(d, "labels", "b.nii.gz"), ramp([5, 4, 3, 3], 2));
    await put(join(d, "labels", "c.nii.gz"), ramp([5, 4, 3, 2]));
    await put(join(d, "labels", "flat.nii.gz"), ramp([5, 4, 3, 3]));
    await put(join(d, "labels", "zz.nii.gz"), ramp([5, 4, 3, 3]));
    // valid: one good image and one cut short (a corrupt download)
    await put(join(root, "valid", "images", "w.nii.gz"), ramp([5, 4, 3], 255));
    await put(join(root, "valid", "images", "x.nii"), ramp([5, 4, 3], 255));
    const whole = await readFile(join(root, "valid", "images", "x.nii"));
    await writeFile(join(root, "valid", "images", "x.nii"), whole.subarray(0, 400));
    await mkdir(join(root, "test"), { recursive: true });
    await writeH5(join(root, "test", "images.h5"), { a: ramp([5, 4, 3], 9) });
    await writeFile(
      join(root, "broken.yaml"),
      [
        "dataset:",
        "  type: unpaired",
        "  image_shape: [4, 4, 4]",
        "  train: { dir: train, format: nifti, labeled: true }",
        "  valid: { dir: [valid, nowhere], format: nifti, labeled: true }",
        "  test: { dir: test, format: h5, labeled: false }",
        "",
      ].join("\n"),
    );
    const r = await run(["check", "broken.yaml"], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.replace(/: .*\[/, ": [")).filter((l) => !/^(train|valid|test):/.test(l))).toEqual([
      "train/images/flat.nii.gz: [SHAPE]",
      "train/labels/b.nii.gz: [LABEL_RANGE]",
      "train/labels/zz.nii.gz: [IDS_MISMATCH]",
      "train/labels/c.nii.gz: [LABEL_COUNT]",
      "valid/labels: [NOT_FOUND]",
      "nowhere: [NOT_FOUND]",
      "valid/images/x.nii: [TRUNCATED]",
      'test/images.h5 ["a"]: [EMPTY]',
    ]);
    expect(lines).toContain("train/labels/b.nii.gz: label values must be in [0, 1], found values from 0 to 2 [LABEL_RANGE]");
    expect(lines).toContain('train/labels/zz.nii.gz: no file with id "zz" in train/images [IDS_MISMATCH]');
    expect(lines).toContain(
      "train: 4 problems (9 volumes in 9 files: 4 images and 5 labels decoded)",
    );
    expect(lines).toContain(
      'test/images.h5 ["a"]: the only image of the split; unpaired data needs at least 2 images to form a pair [EMPTY]',
    );
    expect(lines).toContain(
      "test: 1 problem (1 volume in 1 file: 1 image and 0 labels decoded)",
    );
    expect(r.stdout).not.toMatch(/\n\s+at /);
    expect(lines).toContain(
      "valid/images/x.nii: the file has 400 bytes, but its header declares 592 (60 float32 voxels from byte 352); the file is truncated [TRUNCATED]",
    );
  });

  it("check decodes every image by default: finds a .nii.gz image cut short; --headers-only does not, and says so", async () => {
    const root = join(tmp, "cut");
    for (const id of ["a", "b"]) await put(join(root, "d", "images", `${id}.nii.gz`), ramp([50, 40, 30], 255));
    const whole = await readFile(join(root, "d", "images", "b.nii.gz"));
    await writeFile(join(root, "d", "images", "b.nii.gz"), whole.subarray(0, whole.length >> 1));
    await writeFile(join(root, "c.yaml"), "dataset:\n  type: unpaired\n  image_shape: [4, 4, 4]\n  train: { dir: d, format: nifti, labeled: false }\n");
    const quick = await run(["check", "c.yaml", "--headers-only"], root);
    expect([quick.code, quick.stdout]).toEqual([0, "train: ok (2 volumes in 2 files: headers only (--headers-only), nothing decoded)\n"]);
    const expected = [
      "d/images/b.nii.gz: the gzip stream ends early (unexpected end of file); the file is truncated [TRUNCATED]",
      "train: 1 problem (2 volumes in 2 files: 1 image and 0 labels decoded)",
      "",
    ].join("\n");
    const full = await run(["check", "c.yaml"], root);
    expect([full.code, full.stdout]).toEqual([1, expected]);
    // --workers decodes in the loader's worker pool (the built worker script: run dist/cli.js)
    const pooled = spawnSync(process.execPath, [DIST_CLI, "check", "c.yaml", "--workers", "2"], { cwd: root, encoding: "utf8" });
    expect([pooled.status, pooled.stdout]).toEqual([1, expected]);
    const json = JSON.parse((await run(["check", "c.yaml", "--json", "--headers-only"], root)).stdout);
    expect([json.ok, json.splits.train.imagesDecoded, json.splits.train.headersOnly, json.splits.train.imagesRead]).toEqual([true, false, true, 0]);
    const fullJson = JSON.parse((await run(["check", "c.yaml", "--json"], root)).stdout);
    expect([fullJson.ok, fullJson.splits.train.imagesDecoded, fullJson.splits.train.imagesRead]).toEqual([false, true, 1]);
    const loader = await createDataLoader((await readConfig([join(root, "c.yaml")])).dataset, "train", { cwd: root });
    await expect((async () => {
      for await (const _ of loader.samples()) void _;
    })()).rejects.toMatchObject({ code: "TRUNCATED", file: join(root, "d", "images", "b.nii.gz") });
    await loader.close();
  });

  it("check typo.yaml (data dir mistyped) names the absolute path it looked for", async () => {
    const root = join(tmp, "typo");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "typo.yaml"), "dataset:\n  type: unpaired\n  image_shape: [4, 4, 4]\n  train: { dir: dat, format: nifti, labeled: false }\n");
    const r = await run(["check", "typo.yaml"], root);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe(`dat: data directory not found (looked for ${root}/dat) [NOT_FOUND]`);
  });

  it("check h5.yaml on NIfTI folders (and nifti.yaml on .h5 files) hints at the other format", async () => {
    const root = join(tmp, "wrongformat");
    for (const id of ["a", "b"]) await put(join(root, "n", "images", `${id}.nii.gz`), ramp([5, 4, 3], 255));
    await mkdir(join(root, "h"), { recursive: true });
    await writeH5(join(root, "h", "images.h5"), { a: ramp([5, 4, 3], 9), b: ramp([5, 4, 3], 9) });
    const yaml = (dir: string, format: string) =>
      `dataset:\n  type: unpaired\n  image_shape: [4, 4, 4]\n  train: { dir: ${dir}, format: ${format}, labeled: false }\n`;
    await writeFile(join(root, "h5.yaml"), yaml("n", "h5"));
    await writeFile(join(root, "nifti.yaml"), yaml("h", "nifti"));
    const h5 = await run(["check", "h5.yaml"], root);
    expect(h5.code).toBe(1);
    expect(h5.stdout.split("\n")[0]).toMatch(/^n\/images\.h5: .* \(found images\/ — is format nifti\?\) \[NOT_FOUND\]$/);
    const nifti = await run(["check", "nifti.yaml"], root);
    expect(nifti.code).toBe(1);
    expect(nifti.stdout.split("\n")[0]).toMatch(/^h\/images: .* \(found images\.h5 — is format h5\?\) \[NOT_FOUND\]$/);
  });

  it.each([["check"], ["info"]])("%s invalid.yaml --json prints { errors } on stdout, exit 1", async (command) => {
    await writeFile(join(tmp, "invalid.yaml"), "dataset:\n  type: pared\n  image_shape: [4, 4]\n  train: { dir: x, format: nifti, labeled: true }\n");
    const r = await run([command, "invalid.yaml", "--json"], tmp);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["errors"]);
    expect(json.errors.map((e: { code: string; file: string; path: string }) => [e.code, e.file, e.path])).toEqual([
      ["INVALID_CONFIG", "invalid.yaml", "dataset.type"],
      ["INVALID_CONFIG", "invalid.yaml", "dataset.image_shape"],
    ]);
    expect(json.errors[0].message).toBe('dataset.type: expected one of paired, unpaired, grouped, found "pared" (did you mean "paired"?)');
  });

  it.each([["check"], ["info"]])("%s no-valid.yaml --split valid --json prints { errors } naming the splits with data, exit 1", async (command) => {
    await writeFile(join(tmp, "no-valid.yaml"), "dataset:\n  type: unpaired\n  image_shape: [4, 4, 4]\n  train: { dir: x, format: nifti, labeled: true }\n");
    const r = await run([command, "no-valid.yaml", "--split", "valid", "--json"], tmp);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [{ code: "NOT_FOUND", message: "dataset.valid: the config gives no data directory for this split (splits with one: train)" }],
    });
  });

  it("check invalid.yaml lists every config problem, exit 1", async () => {
    await writeFile(join(tmp, "invalid.yaml"), "dataset:\n  type: pared\n  image_shape: [4, 4]\n  train: { dir: x, format: nifti, labeled: true }\n");
    const r = await run(["check", "invalid.yaml"], tmp);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("error: invalid config invalid.yaml: 2 problems [INVALID_CONFIG]");
    expect(lines.slice(1).map((l) => l.replace(/: .*/, ""))).toEqual(["  dataset.type", "  dataset.image_shape"]);
    expect(lines[1]).toContain('(did you mean "paired"?)');
  });
});
