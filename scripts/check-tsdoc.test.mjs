import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTsdoc, findPackages, formatProblem } from "./check-tsdoc.mjs";

const SCRIPT = fileURLToPath(new URL("./check-tsdoc.mjs", import.meta.url));

function writePackage(dir, name, files, extra = {}) {
  mkdirSync(join(dir, name, "src"), { recursive: true });
  const exports = { ".": { types: "./dist/index.d.ts", import: "./dist/index.js", default: "./dist/index.js" } };
  writeFileSync(join(dir, name, "package.json"), JSON.stringify({ name, exports, ...extra }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, name, "src", file), text);
}

describe("check-tsdoc", () => {
  let root;
  let packages;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tsdoc-"));
    packages = join(root, "packages");
    writePackage(packages, "a", {
      "index.ts": [
        'export { documented, undocumented } from "./fns.js";',
        'export type { Options } from "./fns.js";',
        'export { gone } from "./missing.js";',
        "",
      ].join("\n"),
      "fns.ts": [
        "/** Options of `documented`. */",
        "export interface Options {",
        "  /** Documented field. */",
        "  size?: number;",
        "  bare?: string;",
        "}",
        "",
        "/** Returns one. */",
        "export function documented(options: Options = {}): number {",
        "  return 1;",
        "}",
        "",
        "export function undocumented(): number {",
        "  return 2;",
        "}",
        "",
      ].join("\n"),
    });
    // Re-exports a's symbols (checked in a only) and declares a main entry point without @example.
    writePackage(packages, "b", {
      "index.ts": [
        'export * from "a";',
        "/** Reads nothing. */",
        "export function readNifti(): void {}",
        "",
      ].join("\n"),
    });
    // A private package (an app) is not checked.
    writePackage(packages, "app", { "index.ts": "export const x = 1;\n" }, { private: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("findPackages(dir) maps export targets to sources and skips private packages", () => {
    expect(findPackages(packages).map((p) => [p.name, p.entries.map((e) => e.slice(packages.length + 1))])).toEqual([
      ["a", ["a/src/index.ts"]],
      ["b", ["b/src/index.ts"]],
    ]);
  });

  it("checkTsdoc(dir) lists each undocumented export and field once, in its home package", () => {
    expect(checkTsdoc(packages).map(formatProblem)).toEqual([
      "a: Options.bare (packages/a/src/fns.ts:5)",
      "a: undocumented (packages/a/src/fns.ts:13)",
      "a: gone (packages/a/src/index.ts:3) [export not resolved]",
      "b: readNifti (packages/b/src/index.ts:3) [no @example]",
    ]);
  });

  it("the script exits 1 listing the problems, and 0 once they are documented", () => {
    let failure;
    try {
      execFileSync(process.execPath, [SCRIPT, packages], { stdio: "pipe" });
    } catch (error) {
      failure = error;
    }
    expect(failure?.status).toBe(1);
    expect(String(failure.stderr)).toMatch(/^a: Options\.bare \(packages\/a\/src\/fns\.ts:5\)$/m);
    expect(String(failure.stderr)).toMatch(/4 exported symbols without TSDoc in 2 of 2 packages/);

    writePackage(packages, "a", {
      "index.ts": '/** Documented now. */\nexport const undocumented = 2;\n',
    });
    writePackage(packages, "b", {
      "index.ts": "/**\n * Reads nothing.\n * @example\n * readNifti();\n */\nexport function readNifti(): void {}\n",
    });
    expect(execFileSync(process.execPath, [SCRIPT, packages], { encoding: "utf8" })).toMatch(
      /every exported symbol of 2 packages is documented/,
    );
  }, 60_000);
});
