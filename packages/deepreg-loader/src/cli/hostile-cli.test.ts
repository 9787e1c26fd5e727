// Issue 12 at the command line: a folder symlink loop ends `check`, `info` and `export` with the
// coded error naming the link (never a hang), `export` leaves nothing at `--out`, and two configs
// whose merge is invalid give `check --json` errors naming a file.
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "@deepreg-loader/config";
import { createDataLoader } from "../loader/create-data-loader.js";
import { tempDir, writeImages } from "../loader/data-loader-fixtures.js";
import { run } from "./test-io.js";

let root = "";
let remove: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ root, remove } = await tempDir());
  await writeImages("nifti", join(root, "data"), ["g1/a", "g1/b", "g2/a", "g2/b"]);
  await symlink(".", join(root, "data", "images", "g1", "loop1"));
  await symlink(".", join(root, "data", "images", "g1", "loop2"));
  await writeFile(
    join(root, "grouped.yaml"),
    "dataset:\n  type: grouped\n  image_shape: [4, 4, 4]\n  intra_group_prob: 1\n  intra_group_option: forward\n  sample_image_in_group: true\n  train: { dir: data, format: nifti, labeled: true }\n",
  );
});
afterAll(async () => {
  await remove();
});

const LOOP = "data/images/g1/loop1: symbolic link loop: leads back to data/images/g1, a folder containing it; remove the link [READ_FAILED]";

describe("a folder symlink loop in a grouped images folder", () => {
  it("check grouped.yaml reports both links as READ_FAILED, exit 1", async () => {
    const r = await run(["check", "grouped.yaml"], root);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([LOOP, LOOP.replaceAll("loop1", "loop2")]);
  });

  it("check grouped.yaml --json names the link as the problem's file", async () => {
    const r = await run(["check", "grouped.yaml", "--json"], root);
    expect(r.code).toBe(1);
    const problems = JSON.parse(r.stdout).splits.train.problems;
    expect(problems.map((p: { code: string; file: string }) => [p.code, p.file])).toEqual([
      ["READ_FAILED", "data/images/g1/loop1"],
      ["READ_FAILED", "data/images/g1/loop2"],
    ]);
  });

  it("export grouped.yaml --split train --out out ends with the coded error and writes nothing", async () => {
    const r = await run(["export", "grouped.yaml", "--split", "train", "--out", "out"], root);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, "", `error: ${LOOP}\n`]);
    expect((await readdir(root)).sort()).toEqual(["data", "grouped.yaml"]);
  });

  it("createDataLoader(grouped config, 'train') throws READ_FAILED naming the first link", async () => {
    const config = await readConfig([join(root, "grouped.yaml")]);
    const error = await createDataLoader(config.dataset, "train", { cwd: root }).catch((e) => e);
    expect([error.name, error.code, error.file]).toEqual(["DeepRegLoaderError", "READ_FAILED", join(root, "data", "images", "g1", "loop1")]);
  });
});

describe("two configs whose merge is invalid", () => {
  it("check base.yaml over.yaml --json gives errors naming the file each value comes from", async () => {
    await mkdir(join(root, "merge"), { recursive: true });
    await writeFile(join(root, "merge", "base.yaml"), "dataset:\n  type: paired\n  moving_image_shape: [4, 4, 4]\n  fixed_image_shape: [4, 4, 4]\n  train: { dir: d, format: nifti, labeled: true }\n");
    await writeFile(join(root, "merge", "over.yaml"), "dataset:\n  type: unpaired\n");
    const r = await run(["check", "base.yaml", "over.yaml", "--json"], join(root, "merge"));
    expect(r.code).toBe(1);
    // The config's warnings (shapes ignored for unpaired data) go to stderr, as always.
    expect(r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning: dataset."))).toEqual([]);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          code: "INVALID_CONFIG",
          file: "over.yaml",
          path: "dataset.image_shape",
          message: "dataset.image_shape: expected a list of three positive integers [dim1, dim2, dim3], found nothing",
        },
      ],
    });
  });
});
