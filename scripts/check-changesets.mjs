#!/usr/bin/env node
// Release rule: `deepreg-loader` re-exports the public API of the packages below, so a release
// that bumps one of them must bump `deepreg-loader` by at least the same level (a minor core
// change is a minor change of the meta-package too). changesets alone would give the
// meta-package only a patch (updateInternalDependencies), so this check reads the pending
// changesets (.changeset/*.md), takes each package's highest bump over all of them (what
// `changeset version` applies) and fails, naming the packages, when the rule is broken.
// Usage: node scripts/check-changesets.mjs [changeset-dir]; exit 1 on a violation.
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const META_PACKAGE = "deepreg-loader";
export const RE_EXPORTED = [
  "@deepreg-loader/core",
  "@deepreg-loader/volume-ops",
  "@deepreg-loader/io-nifti",
  "@deepreg-loader/io-h5",
  "@deepreg-loader/samplers",
  "@deepreg-loader/config",
  "@deepreg-loader/augment",
];
const LEVELS = ["none", "patch", "minor", "major"];

/** The `"package": level` lines of a changeset's frontmatter, as a Map. */
export function parseChangeset(text, file = "changeset") {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!m) throw new Error(`${file}: no frontmatter (--- ... ---)`);
  const bumps = new Map();
  for (const line of m[1].split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const entry = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major|none)\s*$/.exec(line);
    if (!entry) throw new Error(`${file}: cannot read frontmatter line ${JSON.stringify(line)}`);
    bumps.set(entry[1], entry[2]);
  }
  return bumps;
}

/** Highest bump per package over all changesets (texts), as changesets combines them. */
export function releasePlan(texts) {
  const plan = new Map();
  for (const [file, text] of texts) {
    for (const [name, level] of parseChangeset(text, file)) {
      if (LEVELS.indexOf(level) > LEVELS.indexOf(plan.get(name) ?? "none")) plan.set(name, level);
    }
  }
  return plan;
}

/** Every violation of the rule, as a sentence; empty when the plan is fine. */
export function checkMetaBump(plan) {
  const meta = plan.get(META_PACKAGE) ?? "none";
  const problems = [];
  for (const name of RE_EXPORTED) {
    const level = plan.get(name) ?? "none";
    if (LEVELS.indexOf(level) > LEVELS.indexOf(meta)) {
      problems.push(
        `${name} gets a ${level} bump but ${META_PACKAGE}, which re-exports it, gets ${meta === "none" ? "none" : `only a ${meta}`}: ` +
          `add "${META_PACKAGE}": ${level} to a changeset`,
      );
    }
  }
  return problems;
}

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = process.argv[2] ?? join(here, "..", ".changeset");
  const files = readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md").sort();
  const plan = releasePlan(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const problems = checkMetaBump(plan);
  for (const p of problems) console.error(`changesets: ${p}`);
  if (problems.length > 0) process.exit(1);
  const summary = [...plan].map(([n, l]) => `${n} ${l}`).join(", ");
  console.log(`changesets: ${files.length} pending; ${summary || "no bumps"}; ${META_PACKAGE} bumped at least as much as what it re-exports`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
