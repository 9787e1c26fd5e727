import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkMetaBump, parseChangeset, releasePlan } from "./check-changesets.mjs";

const SCRIPT = fileURLToPath(new URL("./check-changesets.mjs", import.meta.url));
const cs = (lines) => `---\n${lines.join("\n")}\n---\n\nWhat changed.\n`;

describe("check-changesets", () => {
  it("parseChangeset(text) reads quoted and unquoted names with their levels", () => {
    expect([...parseChangeset(cs(['"@deepreg-loader/core": minor', "deepreg-loader: patch"]))]).toEqual([
      ["@deepreg-loader/core", "minor"],
      ["deepreg-loader", "patch"],
    ]);
    expect(() => parseChangeset("no frontmatter", "x.md")).toThrow(/x\.md: no frontmatter/);
  });

  it("releasePlan(texts) keeps each package's highest level", () => {
    const plan = releasePlan([
      ["a.md", cs(['"deepreg-loader": patch', '"@deepreg-loader/core": patch'])],
      ["b.md", cs(['"deepreg-loader": minor'])],
      ["c.md", cs(['"@deepreg-loader/core": major'])],
    ]);
    expect(Object.fromEntries(plan)).toEqual({ "deepreg-loader": "minor", "@deepreg-loader/core": "major" });
  });

  it("checkMetaBump(plan) names a re-exported package bumped more than deepreg-loader", () => {
    expect(checkMetaBump(new Map([["@deepreg-loader/core", "minor"], ["deepreg-loader", "minor"]]))).toEqual([]);
    expect(checkMetaBump(new Map([["@deepreg-loader/io-h5", "patch"]]))).toEqual([
      '@deepreg-loader/io-h5 gets a patch bump but deepreg-loader, which re-exports it, gets none: add "deepreg-loader": patch to a changeset',
    ]);
    expect(checkMetaBump(new Map([["@deepreg-loader/augment", "major"], ["deepreg-loader", "minor"]]))[0]).toMatch(
      /augment gets a major bump but deepreg-loader.*only a minor/,
    );
    // Packages that deepreg-loader does not re-export are free.
    expect(checkMetaBump(new Map([["@deepreg-loader/tfjs", "major"]]))).toEqual([]);
  });

  it("the script exits 1 on a violating folder and 0 on a fine one", () => {
    const dir = mkdtempSync(join(tmpdir(), "changesets-"));
    try {
      writeFileSync(join(dir, "core.md"), cs(['"@deepreg-loader/core": minor']));
      writeFileSync(join(dir, "meta.md"), cs(['"deepreg-loader": patch']));
      expect(() => execFileSync(process.execPath, [SCRIPT, dir], { stdio: "pipe" })).toThrow(/core gets a minor bump/);
      writeFileSync(join(dir, "meta.md"), cs(['"deepreg-loader": minor']));
      expect(execFileSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" })).toMatch(/2 pending/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
