// Fuzz suite (issue 12): DeepReg's own configs (and a small one of ours) with YAML tokens
// inserted, ranges deleted and lines repeated. Every case must parse to plain data that
// mergeConfigs and validateConfig handle without throwing, or fail with INVALID_CONFIG naming
// the file with a line and a column; never another exception, output or Node warning; each
// case within a time limit. Seeded (FUZZ_SEED), bounded (FUZZ_RUNS).
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { capture, expectCodedError, FUZZ_SEED, fuzzRuns } from "../../../test-utils/fuzz.js";
import { mergeConfigs } from "./merge-configs.js";
import { parseConfigYaml } from "./parse-config-yaml.js";
import { validateConfig } from "./validate-config.js";

const FILE = "fuzz.yaml";

const TEXTS: string[] = [
  "dataset:\n  type: paired\n  format: nifti\n  train:\n    dir: data/train\n    labeled: true\n  moving_image_shape: [16, 16, 16]\n  fixed_image_shape: [16, 16, 16]\ntrain:\n  method: ddf\n  preprocess:\n    batch_size: 2\n",
];
if (DEEPREG_DATA) {
  const dir = deepregPath("config", "test");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) TEXTS.push(readFileSync(`${dir}/${name}`, "utf8"));
} else {
  console.warn("[config fuzz] DeepReg data not found: fuzzing our own config only");
}

const TOKENS = [
  "&a ", "*a", "&b [1, 2]", "*b", "<<: *a\n", "<<: ", "? ", ": ", "- ", "[", "]", "{", "}", ",", "\n", "\n  ", "\n    ",
  "'", '"', "#", "|\n", ">\n", "\t", "%YAML 1.1\n", "---\n", "...\n", "~", "1e10", "-1", "[1e10, 1e10, 1e10]", "yes", "NO",
  "!!python/tuple ", "!!str ", "!!binary ", "\u0000", "\uFEFF", "\u2028", "é", "\\", "%", "@", "`", "!", "2001-12-14",
  "? [a, b]\n: 1\n", "x: &x [*x]\n", "dataset: *nope\n", "image_shape: [8, 8, 8]\n", "__proto__: 1\n",
];

type Edit = { kind: "insert"; at: number; token: string } | { kind: "delete"; at: number; length: number } | { kind: "repeat"; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant("repeat" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function apply(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = Math.floor(e.at * out.length);
    if (e.kind === "insert") out = out.slice(0, at) + e.token + out.slice(at);
    else if (e.kind === "delete") out = out.slice(0, at) + out.slice(at + e.length);
    else {
      const start = out.lastIndexOf("\n", at - 1) + 1;
      const end = out.indexOf("\n", at);
      const line = out.slice(start, end < 0 ? out.length : end + 1);
      out = out.slice(0, start) + line + (line.endsWith("\n") ? "" : "\n") + out.slice(start);
    }
  }
  return out;
}

async function check(text: string): Promise<void> {
  const started = performance.now();
  const { outcome, printed } = await capture(() => {
    const parsed = parseConfigYaml(text, FILE);
    const merged = mergeConfigs([parsed, parsed]);
    const result = validateConfig(merged);
    return { result, json: JSON.stringify(merged) === undefined ? "" : "ok" };
  });
  expect(printed).toBe("");
  expect(performance.now() - started).toBeLessThan(5_000);
  if (outcome.ok) return;
  expectCodedError(outcome.error, FILE);
  const error = outcome.error as { code: string; details?: { line?: unknown; column?: unknown } };
  expect(error.code).toBe("INVALID_CONFIG");
  expect(typeof error.details?.line).toBe("number");
  expect(typeof error.details?.column).toBe("number");
}

const text = fc.integer({ min: 0, max: TEXTS.length - 1 }).map((i) => TEXTS[i] as string, (t) => TEXTS.indexOf(t as string));

describe("fuzz: parseConfigYaml + mergeConfigs + validateConfig never fail other than INVALID_CONFIG with file, line, column", () => {
  test("configs with YAML tokens inserted, ranges deleted, lines repeated", async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(edit, { minLength: 1, maxLength: 5 }), async (base, edits) => {
        await check(apply(base, edits));
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(600), endOnFailure: true },
    );
  }, 240_000);

  test("random text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(..."ab:-[]{}&*!|>'\"#? \n\t,.<~%@`"), maxLength: 80 }), async (t) => {
        await check(t);
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(600), endOnFailure: true },
    );
  }, 240_000);
});
