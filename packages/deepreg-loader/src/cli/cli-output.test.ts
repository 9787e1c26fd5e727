import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "@deepreg-loader/config";
import type { Sample } from "@deepreg-loader/core";
import { DEEPREG_DATA } from "../../../../test-utils/deepreg-data.js";
import { PYTHON, runPython } from "../../../../test-utils/python.js";
import { createDataLoader } from "../loader/create-data-loader.js";
import { LABEL_COLORS } from "../preview/preview-montage.js";
import { run } from "./test-io.js";

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "drl-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function loaderFor(configs: string[], split: "train" | "valid" | "test", seed = 0) {
  const config = await readConfig(configs, { cwd: DEEPREG_DATA! });
  return (await createDataLoader(config.dataset, split, { cwd: DEEPREG_DATA!, seed, workers: 0 }))!;
}

describe.skipIf(!DEEPREG_DATA)("deepreg-loader export on the DeepReg test data", () => {
  it("export paired_nifti.yaml --split test writes 6 samples (2 pairs x 3 labels) and the manifest", async () => {
    const out = join(tmp, "paired");
    const r = await run(["export", "config/test/paired_nifti.yaml", "--split", "test", "--out", out], DEEPREG_DATA!);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote 6 samples of test (epoch 0) to ${out}, listed in manifest.json\n`);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
    const loader = await loaderFor(["config/test/paired_nifti.yaml"], "test");
    const plan = loader.plan(0);
    await loader.close();
    expect(manifest).toEqual({
      type: "paired",
      split: "test",
      numSamples: 2,
      movingImageShape: [16, 16, 16],
      fixedImageShape: [8, 8, 8],
      samples: plan.map((indices, i) => {
        const p = String(i).padStart(5, "0");
        return {
          indices,
          files: {
            moving_image: `${p}_moving_image.npy`,
            fixed_image: `${p}_fixed_image.npy`,
            moving_label: `${p}_moving_label.npy`,
            fixed_label: `${p}_fixed_label.npy`,
          },
        };
      }),
    });
    expect((await readdir(out)).length).toBe(6 * 4 + 1);
  });

  it("export grouped_h5.yaml unlabeled.yaml --split train --epoch 1 --seed 7 --limit 1 follows the loader's stream", async () => {
    const out = join(tmp, "grouped");
    const configs = ["config/test/grouped_h5.yaml", "config/test/unlabeled.yaml"];
    const r = await run(
      ["export", ...configs, "--split", "train", "--out", out, "--epoch", "1", "--seed", "7", "--limit", "1"],
      DEEPREG_DATA!,
    );
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
    const loader = await loaderFor(configs, "train", 7);
    const plan = loader.plan(1);
    await loader.close();
    expect(manifest.numSamples).toBe(2);
    expect(manifest.samples).toEqual([
      { indices: plan[0], files: { moving_image: "00000_moving_image.npy", fixed_image: "00000_fixed_image.npy" } },
    ]);
    expect(plan[0]![4]).toBe(-1);
  });

  it.skipIf(!PYTHON)("np.load reads every exported file with the manifest's shapes and the loader's values", async () => {
    const out = join(tmp, "paired");
    const loader = await loaderFor(["config/test/paired_nifti.yaml"], "test");
    let first: Sample | undefined;
    for await (const s of loader.samples({ epoch: 0 })) {
      first = s;
      break;
    }
    await loader.close();
    const script = [
      "import json, sys, os, numpy as np",
      "out = sys.argv[1]",
      "m = json.load(open(os.path.join(out, 'manifest.json')))",
      "shapes = {'moving_image': m['movingImageShape'], 'moving_label': m['movingImageShape'],",
      "          'fixed_image': m['fixedImageShape'], 'fixed_label': m['fixedImageShape']}",
      "bad = []",
      "for s in m['samples']:",
      "    for k, f in s['files'].items():",
      "        a = np.load(os.path.join(out, f))",
      "        if a.dtype != np.float32 or list(a.shape) != shapes[k] or not a.flags['C_CONTIGUOUS']: bad.append(f)",
      "a = np.load(os.path.join(out, '00000_moving_image.npy'))",
      "l = np.load(os.path.join(out, '00000_fixed_label.npy'))",
      "print(json.dumps({'bad': bad, 'n': len(m['samples']), 'v': float(a[1, 2, 3]), 'sum': float(l.sum(dtype=np.float64))}))",
    ].join("\n");
    const result = JSON.parse(runPython(script, [out]));
    let labelSum = 0;
    for (const v of first!.fixedLabel!.data) labelSum += v;
    expect(result.bad).toEqual([]);
    expect(result.n).toBe(6);
    expect(result.v).toBe(first!.movingImage.get(1, 2, 3));
    expect(result.sum).toBeCloseTo(labelSum, 6);
  });
});

describe.skipIf(!DEEPREG_DATA)("deepreg-loader export into a folder that is not empty", () => {
  const exportTo = (out: string, ...more: string[]) =>
    run(["export", "config/test/paired_nifti.yaml", "--split", "train", "--out", out, ...more], DEEPREG_DATA!);

  it("export --out OLD (a previous export) exits 1 and leaves it alone; --overwrite --limit 2 replaces it", async () => {
    const out = join(tmp, "again");
    expect((await exportTo(out, "--limit", "3")).code).toBe(0);
    expect((await readdir(out)).length).toBe(3 * 4 + 1);
    const refused = await exportTo(out, "--limit", "2");
    expect([refused.code, refused.stdout]).toEqual([1, ""]);
    expect(refused.stderr).toBe(
      `error: ${out}: the output folder is not empty (13 entries: 00000_fixed_image.npy, 00000_fixed_label.npy, 00000_moving_image.npy, ...); pass --overwrite to replace the previous export, or choose another folder [WRITE_FAILED]\n`,
    );
    expect((await readdir(out)).length).toBe(13);
    await writeFile(join(out, "notes.txt"), "mine\n");
    const replaced = await exportTo(out, "--limit", "2", "--overwrite");
    expect(replaced.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
    expect(manifest.samples).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual(
      [...["00000", "00001"].flatMap((p) => ["fixed_image", "fixed_label", "moving_image", "moving_label"].map((k) => `${p}_${k}.npy`)), "manifest.json", "notes.txt"].sort(),
    );
  });
});

describe.skipIf(!DEEPREG_DATA)("deepreg-loader preview on the DeepReg test data", () => {
  it("preview --out new/sub/p.png creates the folder", async () => {
    const out = join(tmp, "new", "sub", "p.png");
    const r = await run(["preview", "config/test/paired_nifti.yaml", "--split", "test", "--out", out, "--samples", "1"], DEEPREG_DATA!);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(PNG.sync.read(await readFile(out)).width).toBe(258);
  });

  it("preview paired_nifti.yaml --split train --slice label draws each tile at its label's centre of mass", async () => {
    const out = join(tmp, "label.png");
    const r = await run(
      ["preview", "config/test/paired_nifti.yaml", "--split", "train", "--out", out, "--samples", "1", "--slice", "label"],
      DEEPREG_DATA!,
    );
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const png = PNG.sync.read(await readFile(out));
    const loader = await loaderFor(["config/test/paired_nifti.yaml"], "train");
    let s: Sample | undefined;
    for await (const sample of loader.samples({ epoch: 0 })) {
      s = sample;
      break;
    }
    await loader.close();
    // Fixed tile (second column, x from 130): 8 x 8 slice scaled x16; k = round(centre of mass along axis 3).
    const label = s!.fixedLabel!;
    let mass = 0;
    let moment = 0;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) for (let k = 0; k < 8; k++) {
      mass += label.get(i, j, k);
      moment += k * label.get(i, j, k);
    }
    const k = Math.round(moment / mass);
    expect(k).toBe(3); // not the middle slice 4, so the test tells the two apart
    let best = [0, 0];
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) if (label.get(i, j, k) > label.get(best[0]!, best[1]!, k)) best = [i, j];
    const [i, j] = best as [number, number];
    expect(label.get(i, j, k)).toBeGreaterThan(0);
    const grey = Math.min(1, Math.max(0, s!.fixedImage.get(i, j, k))) * 255;
    const alpha = 0.5 * Math.min(1, label.get(i, j, k));
    const color = LABEL_COLORS[s!.indices[1]!]!;
    const x = 130 + i * 16 + 5;
    const y = (7 - j) * 16 + 5;
    expect([...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)]).toEqual(
      color.map((c) => Math.round(grey * (1 - alpha) + c * alpha)),
    );
  });

  it("preview paired_nifti.yaml --split test --samples 2 draws 2 rows of 2 tiles of 128 px", async () => {
    const out = join(tmp, "preview.png");
    const r = await run(
      ["preview", "config/test/paired_nifti.yaml", "--split", "test", "--out", out, "--samples", "2"],
      DEEPREG_DATA!,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: 258x258 px, 2 samples of test (epoch 0)\n`);
    const png = PNG.sync.read(await readFile(out));
    expect([png.width, png.height]).toEqual([258, 258]);
    const pixel = (x: number, y: number) => [...png.data.subarray((y * 258 + x) * 4, (y * 258 + x) * 4 + 4)];
    expect(pixel(128, 10)).toEqual([96, 96, 96, 255]); // separator between tiles
    expect(pixel(10, 129)).toEqual([96, 96, 96, 255]); // separator between rows

    const loader = await loaderFor(["config/test/paired_nifti.yaml"], "test");
    let s: Sample | undefined;
    for await (const sample of loader.samples({ epoch: 0 })) {
      s = sample;
      break;
    }
    await loader.close();
    // Moving tile of row 0: 16 x 16 slice k = 8 scaled x8; pixel (x, y) shows vol[x >> 3, 15 - (y >> 3), 8].
    let best = [0, 0];
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        if (s!.movingLabel!.get(i, j, 8) > s!.movingLabel!.get(best[0]!, best[1]!, 8)) best = [i, j];
      }
    }
    const [i, j] = best as [number, number];
    const label = s!.movingLabel!.get(i, j, 8);
    expect(label).toBeGreaterThan(0.5);
    const grey = Math.min(1, Math.max(0, s!.movingImage.get(i, j, 8))) * 255;
    const alpha = 0.5 * Math.min(1, label);
    const color = LABEL_COLORS[s!.indices[1]!]!;
    const expected = color.map((c) => Math.round(grey * (1 - alpha) + c * alpha));
    expect(pixel(i * 8 + 3, (15 - j) * 8 + 5)).toEqual([...expected, 255]);
    // A voxel without label shows grey.
    const g = Math.round(Math.min(1, Math.max(0, s!.movingImage.get(0, 0, 8))) * 255);
    expect(s!.movingLabel!.get(0, 0, 8)).toBe(0);
    expect(pixel(0, 127)).toEqual([g, g, g, 255]);
  });
});

const CLI = resolve(import.meta.dirname, "../../dist/cli.js");

describe.skipIf(!existsSync(CLI))("dist/cli.js run by node", () => {
  it("starts with a node shebang", () => {
    expect(readFileSync(CLI, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("node dist/cli.js chek exits 2 with did you mean", () => {
    const r = spawnSync(process.execPath, [CLI, "chek", "x.yaml"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe('error: unknown command "chek" (did you mean check?)');
  });

  it.skipIf(!DEEPREG_DATA)("node dist/cli.js check config/test/paired_h5.yaml exits 0 (cwd: the data folder)", () => {
    const r = spawnSync(process.execPath, [CLI, "check", "config/test/paired_h5.yaml", "--split", "train"], {
      encoding: "utf8",
      cwd: DEEPREG_DATA!,
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([
      0,
      "train: ok (12 volumes in 4 files: 6 images and 6 labels decoded)\n",
      "",
    ]);
  });

  it.skipIf(!DEEPREG_DATA)("node dist/cli.js info missing.yaml exits 1 with one line, no stack trace", () => {
    const r = spawnSync(process.execPath, [CLI, "info", "missing.yaml"], { encoding: "utf8", cwd: tmp });
    expect([r.status, r.stdout, r.stderr]).toEqual([
      1,
      "",
      `error: config file not found: missing.yaml (looked for ${tmp}/missing.yaml) [NOT_FOUND]\n`,
    ]);
  });
});
