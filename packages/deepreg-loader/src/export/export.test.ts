import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume, DeepRegLoaderError } from "@deepreg-loader/core";
import type { Sample } from "@deepreg-loader/core";
import { exportSamples } from "./export.js";
import type { SampleSource } from "./export.js";

/** `fakeSource` whose sample `at` throws (a bad file met half way). */
function failingSource(n: number, at: number): SampleSource {
  const good = fakeSource(n, true);
  return {
    ...good,
    async *samples(options) {
      let i = 0;
      for await (const s of good.samples(options)) {
        if (i++ === at) throw new DeepRegLoaderError("TRUNCATED", "bad.nii.gz: the file is truncated", { file: "bad.nii.gz" });
        yield s;
      }
    },
  };
}

/** A source of `n` samples whose volumes are filled with their sample number (+ 0.5 for fixed). */
function fakeSource(n: number, labeled: boolean): SampleSource & { epochs: number[] } {
  const epochs: number[] = [];
  return {
    epochs,
    numSamples: 2,
    movingImageShape: [3, 2, 2],
    fixedImageShape: [2, 2, 1],
    async *samples({ epoch }) {
      epochs.push(epoch);
      for (let i = 0; i < n; i++) {
        const s: Sample = {
          movingImage: createVolume(new Float32Array(12).fill(i), [3, 2, 2]),
          fixedImage: createVolume(new Float32Array(4).fill(i + 0.5), [2, 2, 1]),
          indices: [i, labeled ? i % 2 : -1],
        };
        if (labeled) {
          s.movingLabel = createVolume(new Float32Array(12).fill(1), [3, 2, 2]);
          s.fixedLabel = createVolume(new Float32Array(4).fill(0.25), [2, 2, 1]);
        }
        yield s;
      }
    },
  };
}

describe("exportSamples", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exportSamples(3 labeled samples, out, { epoch: 4 }) writes 12 .npy files and the manifest", async () => {
    const out = join(dir, "a", "b");
    const source = fakeSource(3, true);
    const written: number[] = [];
    const manifest = await exportSamples(source, out, { type: "paired", split: "valid" }, { epoch: 4, onSample: (n) => written.push(n) });
    expect(source.epochs).toEqual([4]);
    expect(written).toEqual([1, 2, 3]);
    expect(manifest.samples[2]).toEqual({
      indices: [2, 0],
      files: {
        moving_image: "00002_moving_image.npy",
        fixed_image: "00002_fixed_image.npy",
        moving_label: "00002_moving_label.npy",
        fixed_label: "00002_fixed_label.npy",
      },
    });
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8"))).toEqual(manifest);
    expect([manifest.type, manifest.split, manifest.numSamples, manifest.movingImageShape, manifest.fixedImageShape]).toEqual([
      "paired",
      "valid",
      2,
      [3, 2, 2],
      [2, 2, 1],
    ]);
    expect((await readdir(out)).sort().slice(0, 4)).toEqual([
      "00000_fixed_image.npy",
      "00000_fixed_label.npy",
      "00000_moving_image.npy",
      "00000_moving_label.npy",
    ]);
    const bytes = await readFile(join(out, "00001_fixed_image.npy"));
    expect(bytes.length).toBe(128 + 4 * 4);
    expect(bytes.readFloatLE(128)).toBe(1.5);
    expect(new TextDecoder().decode(bytes.subarray(10, 128))).toContain("'shape': (2, 2, 1)");
  });

  it("exportSamples(5 unlabeled samples, out, { limit: 2 }) stops after 2, no label files", async () => {
    const out = join(dir, "c");
    const manifest = await exportSamples(fakeSource(5, false), out, { type: "unpaired", split: "train" }, { limit: 2 });
    expect(manifest.samples).toEqual([
      { indices: [0, -1], files: { moving_image: "00000_moving_image.npy", fixed_image: "00000_fixed_image.npy" } },
      { indices: [1, -1], files: { moving_image: "00001_moving_image.npy", fixed_image: "00001_fixed_image.npy" } },
    ]);
    expect((await readdir(out)).length).toBe(5);
  });

  it("exportSamples(source failing at sample 2, new folder) throws and leaves no file nor folder", async () => {
    const out = join(dir, "fail", "new");
    const error = await exportSamples(failingSource(4, 2), out, { type: "paired", split: "train" }).catch((e) => e);
    expect([error.code, error.message]).toEqual(["TRUNCATED", "bad.nii.gz: the file is truncated"]);
    expect((await readdir(dir)).includes("fail")).toBe(false);
  });

  it("exportSamples(source failing, out inside an existing folder) removes only the folders it created", async () => {
    await mkdir(join(dir, "kept"));
    const out = join(dir, "kept", "a", "b");
    const error = await exportSamples(failingSource(4, 1), out, { type: "paired", split: "train" }).catch((e) => e);
    expect(error.code).toBe("TRUNCATED");
    expect(await readdir(join(dir, "kept"))).toEqual([]);
  });

  it("exportSamples(source failing at sample 1, existing folder with a file of its own) removes only what it wrote", async () => {
    const out = join(dir, "fail2");
    await mkdir(out);
    await writeFile(join(out, "keep.txt"), "x");
    const error = await exportSamples(failingSource(4, 1), out, { type: "paired", split: "train" }, { overwrite: true }).catch((e) => e);
    expect(error.code).toBe("TRUNCATED");
    expect(await readdir(out)).toEqual(["keep.txt"]);
  });

  it("exportSamples(source, folder holding an export) throws WRITE_FAILED; { overwrite: true } removes the old export first", async () => {
    const out = join(dir, "twice");
    await exportSamples(fakeSource(3, true), out, { type: "paired", split: "valid" });
    await writeFile(join(out, "notes.txt"), "mine");
    await writeFile(join(out, "123456_moving_image.npy"), "old");
    const error = await exportSamples(fakeSource(1, false), out, { type: "paired", split: "valid" }).catch((e) => e);
    expect(error.code).toBe("WRITE_FAILED");
    expect(error.message).toBe(
      `${out}: the output folder is not empty (15 entries: 00000_fixed_image.npy, 00000_fixed_label.npy, 00000_moving_image.npy, ...); pass { overwrite: true } to replace the previous export, or choose another folder`,
    );
    expect((await readdir(out)).length).toBe(15);
    const manifest = await exportSamples(fakeSource(1, false), out, { type: "paired", split: "valid" }, { overwrite: true });
    expect(manifest.samples).toHaveLength(1);
    expect((await readdir(out)).sort()).toEqual(["00000_fixed_image.npy", "00000_moving_image.npy", "manifest.json", "notes.txt"]);
  });

  it("exportSamples(source, empty existing folder) writes into it", async () => {
    const out = join(dir, "empty");
    await mkdir(out);
    expect((await exportSamples(fakeSource(1, false), out, { type: "paired", split: "valid" })).samples).toHaveLength(1);
  });
});

describe("exportSamples is atomic", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exportSamples killed with SIGKILL mid-export leaves no out folder, only .out.partial-<pid>; the next export removes it", async () => {
    const out = join(dir, "killed");
    const dist = new URL("../../dist/index.js", import.meta.url).href;
    // A source of 1000 samples that blocks after the 3rd: the child is killed while exporting.
    const code = `
      const { exportSamples, createVolume } = await import(${JSON.stringify(dist)});
      const source = { numSamples: 1000, movingImageShape: [3, 2, 2], fixedImageShape: [2, 2, 1],
        async *samples() {
          for (let i = 0; i < 1000; i++) {
            if (i === 3) { console.log("3 written"); await new Promise(() => setInterval(() => {}, 1000)); }
            yield { movingImage: createVolume(new Float32Array(12).fill(i), [3, 2, 2]), fixedImage: createVolume(new Float32Array(4), [2, 2, 1]), indices: [i, -1] };
          }
        } };
      await exportSamples(source, ${JSON.stringify(out)}, { type: "paired", split: "train" });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    await new Promise<void>((done) => child.stdout.on("data", () => done()));
    child.kill("SIGKILL");
    await new Promise((done) => child.on("close", done));
    expect(stderr).toBe("");
    const partial = `.killed.partial-${child.pid}`;
    expect((await readdir(dir)).sort()).toEqual([partial]);
    expect((await readdir(join(dir, partial))).sort()).toEqual([
      "00000_fixed_image.npy",
      "00000_moving_image.npy",
      "00001_fixed_image.npy",
      "00001_moving_image.npy",
      "00002_fixed_image.npy",
      "00002_moving_image.npy",
    ]);
    const manifest = await exportSamples(fakeSource(2, false), out, { type: "paired", split: "train" });
    expect(manifest.samples).toHaveLength(2);
    expect((await readdir(dir)).sort()).toEqual(["killed"]);
    expect((await readdir(out)).sort()).toEqual(["00000_fixed_image.npy", "00000_moving_image.npy", "00001_fixed_image.npy", "00001_moving_image.npy", "manifest.json"]);
  });

  it("exportSamples leaves the temporary folder of a running export (its pid alive) alone", async () => {
    const out = join(dir, "busy");
    const other = join(dir, `.busy.partial-${process.ppid}`);
    await mkdir(other);
    await exportSamples(fakeSource(1, false), out, { type: "paired", split: "train" });
    expect((await readdir(dir)).filter((n) => n.includes("busy")).sort()).toEqual([`.busy.partial-${process.ppid}`, "busy"]);
  });

  it("exportSamples(source failing, { overwrite: true }) over a previous export keeps the previous export whole", async () => {
    const out = join(dir, "keep-old");
    await exportSamples(fakeSource(2, false), out, { type: "paired", split: "valid" });
    const before = (await readdir(out)).sort();
    const error = await exportSamples(failingSource(4, 1), out, { type: "paired", split: "train" }, { overwrite: true }).catch((e) => e);
    expect(error.code).toBe("TRUNCATED");
    expect((await readdir(out)).sort()).toEqual(before);
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8")).split).toBe("valid");
    expect((await readdir(dir)).filter((n) => n.includes("keep-old"))).toEqual(["keep-old"]);
  });

  it("exportSamples(source, out under a file) throws WRITE_FAILED with the real cause (ENOTDIR) and creates nothing", async () => {
    await writeFile(join(dir, "plain-file"), "x");
    const out = join(dir, "plain-file", "a", "out");
    const error = await exportSamples(fakeSource(1, false), out, { type: "paired", split: "train" }).catch((e) => e);
    expect([error.code, error.file]).toEqual(["WRITE_FAILED", out]);
    expect(error.message).toBe(`cannot use ${out} as the output folder: ENOTDIR: not a directory, scandir '${out}'`);
    expect(error.cause.code).toBe("ENOTDIR");
    expect(await readFile(join(dir, "plain-file"), "utf8")).toBe("x");
  });

  it.skipIf(process.platform !== "linux")("exportSamples(source, /proc/x/out) throws WRITE_FAILED naming the system's reason, not a hang", async () => {
    // Node's own mkdir({ recursive: true }) never returns for /proc/x/y.
    const error = await exportSamples(fakeSource(1, false), "/proc/deepreg-loader-test/out", { type: "paired", split: "train" }).catch((e) => e);
    expect([error.code, error.file]).toEqual(["WRITE_FAILED", "/proc/deepreg-loader-test/out"]);
    expect(error.message).toMatch(/^cannot create the output folder \/proc\/deepreg-loader-test\/out: E[A-Z]+: .*, mkdir '\/proc\/deepreg-loader-test'$/);
  });
});
