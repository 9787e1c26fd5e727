// The usage snippets the docs promise to be runnable: run them and compare with their "Output:" block.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const IO_NIFTI = resolve(import.meta.dirname, "../../../io-nifti");
const README = join(IO_NIFTI, "README.md");
const DIST = join(IO_NIFTI, "dist/index.js");

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "drl-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!existsSync(DIST))("packages/io-nifti/README.md", () => {
  it("the usage snippet, run with its folder absent, prints the Output block", async () => {
    const text = readFileSync(README, "utf8");
    const snippet = /## Usage\n\n```js\n([\s\S]*?)```/.exec(text)?.[1];
    const output = /Output:\n\n```\n([\s\S]*?)```/.exec(text)?.[1];
    expect(snippet).toContain("/tmp/drl-example");
    const dir = join(tmp, "not-yet", "example"); // absent, as /tmp/drl-example is for a reader
    const script = snippet!
      .replaceAll('"@deepreg-loader/io-nifti"', JSON.stringify(pathToFileURL(DIST).href))
      .replaceAll("/tmp/drl-example", dir);
    await writeFile(join(tmp, "snippet.mjs"), script);
    const r = spawnSync(process.execPath, [join(tmp, "snippet.mjs")], { encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(output);
  });
});

describe("packages/deepreg-loader/README.md", () => {
  it("the usage snippet is exactly src/loader/readme-usage.typecheck.ts, which `pnpm typecheck` compiles under strict (labels without `!`)", () => {
    const text = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
    const snippet = /## Usage\n\n[\s\S]*?```js\n([\s\S]*?)```/.exec(text)?.[1];
    const checked = readFileSync(resolve(import.meta.dirname, "../loader/readme-usage.typecheck.ts"), "utf8");
    const code = checked.slice(checked.indexOf("import ")).replace('from "../index.js"', 'from "deepreg-loader"');
    expect(snippet).toBe(code);
    expect(code).toContain("b.fixedLabel.shape");
    expect(code).not.toContain("!.");
  });
});
