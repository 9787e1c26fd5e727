// Hostile YAML (issue 12): every problem is INVALID_CONFIG with file, line and column;
// aliases are bounded; nothing is printed; parsing is linear in the size of the text.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild } from "../../../test-utils/child.js";
import { MAX_ALIASES, MAX_DEPTH, parseConfigYaml } from "./parse-config-yaml.js";
import { readConfig } from "./read-config.js";
import { validateConfig } from "./validate-config.js";

function thrown(fn: () => unknown): DeepRegLoaderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeepRegLoaderError);
    return error as DeepRegLoaderError;
  }
  throw new Error("expected a DeepRegLoaderError");
}

/** A billion-laughs bomb: 9 levels of lists of 9 aliases of the level below. */
function aliasBomb(levels = 9): string {
  const lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

const cases: [string, string, number, number, string][] = [
  ["an alias bomb", aliasBomb(), 7, 15, "aliases expand the config to more than 1000000 values (an alias bomb?)"],
  ["a recursive alias", "a: &a\n  b: *a\n", 2, 6, "alias *a refers to a node that contains it (recursive alias)"],
  ["a recursive alias in a list", "x: &x [1, [2, *x]]\n", 1, 15, "alias *x refers to a node that contains it (recursive alias)"],
  ["an undefined alias", "dataset:\n  dir: *nope\n", 2, 8, "alias *nope refers to no anchor &nope before it"],
  ["an alias used before its anchor", "a: *b\nb: &b 1\n", 1, 4, "alias *b refers to no anchor &b before it"],
  ["a merge of a scalar", "a: &s 5\nb:\n  <<: *s\n  c: 1\n", 3, 7, "a merge key (<<) needs a mapping, an alias of a mapping, or a list of those"],
  ["a merge of a list of scalars", "a: &s [1]\nb: {<<: [*s]}\n", 2, 10, "a merge key (<<) needs a mapping, an alias of a mapping, or a list of those"],
  ["a list as a key", "? [a, b]\n: 1\n", 1, 3, "a list or mapping is used as a key; config keys must be plain names"],
  ["a mapping as a key", "dataset:\n  ? {a: 1}\n  : 1\n", 2, 5, "a list or mapping is used as a key; config keys must be plain names"],
  ["an alias of a mapping as a key", "m: &m {a: 1}\n? *m\n: 2\n", 2, 3, "a list or mapping is used as a key; config keys must be plain names"],
  ["a duplicate key", "a: 1\nb: 2\na: 3\n", 3, 1, 'duplicate key "a" (first at line 1, column 1)'],
  ["keys equal as strings (1 and '1')", "1: a\n'1': b\n", 2, 1, 'duplicate key "1" (first at line 1, column 1)'],
  ["nesting 101 levels deep", `a: ${"[".repeat(MAX_DEPTH + 1)}${"]".repeat(MAX_DEPTH + 1)}\n`, 1, 103, `nesting deeper than ${MAX_DEPTH} levels`],
  ["nesting 20,000 levels deep", `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`, 1, 0, "nesting too deep"],
  ["a syntax error", 'a: "open\n', 2, 1, 'Missing closing "quote'],
];

describe("parseConfigYaml(hostile YAML) is INVALID_CONFIG with file, line and column", () => {
  it.each(cases)("%s", (_, text, line, column, message) => {
    const error = thrown(() => parseConfigYaml(text, "bad.yaml"));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.file).toBe("bad.yaml");
    const details = error.details as { line?: number; column?: number };
    expect(details.line).toBe(line);
    if (column > 0) {
      expect(details.column).toBe(column);
      expect(error.message).toBe(`invalid YAML in bad.yaml:\nbad.yaml at line ${line}, column ${column}: ${message}`);
    } else {
      expect(details.column).toEqual(expect.any(Number));
      expect(error.message).toContain(message);
    }
  });

  it(`parseConfigYaml(${MAX_ALIASES + 1} aliases of a scalar) is INVALID_CONFIG (alias count limit)`, () => {
    const text = `a: &a 1\nb: [${Array(MAX_ALIASES + 1).fill("*a").join(", ")}]\n`;
    const error = thrown(() => parseConfigYaml(text, "many.yaml"));
    expect(error.message).toMatch(new RegExp(`^invalid YAML in many\\.yaml:\\nmany\\.yaml at line 2, column \\d+: more than ${MAX_ALIASES} aliases$`));
  });

  it("parseConfigYaml(aliases and merges within the limits) equals PyYAML's reading", () => {
    const text = "base: &b {x: 1, y: 3}\nc:\n  <<: *b\n  x: 2\nd: {<<: [*b, {z: 1}]}\n'<<': quoted\nlist: &l [1, 2]\ne: [*l, *l]\n";
    expect(parseConfigYaml(text)).toEqual({
      base: { x: 1, y: 3 },
      c: { x: 2, y: 3 },
      d: { x: 1, y: 3, z: 1 },
      "<<": "quoted",
      list: [1, 2],
      e: [[1, 2], [1, 2]],
    });
  });
});

describe("image shapes against maxBytes", () => {
  const dataset = (shapes: Record<string, unknown>) => ({
    dataset: { type: "unpaired", format: "nifti", train: { dir: "a", labeled: false }, ...shapes },
  });

  it("validateConfig(image_shape [1e10, 1e10, 1e10]) is an error naming dataset.image_shape", () => {
    const result = validateConfig(dataset({ image_shape: [1e10, 1e10, 1e10] }));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      {
        path: "dataset.image_shape",
        message: "expected a shape of at most 2 GiB as float32 (maxBytes), found [10000000000, 10000000000, 10000000000] (4.000e+30 bytes as float32)",
        expected: "a shape of at most 2 GiB as float32 (maxBytes)",
        found: "[10000000000, 10000000000, 10000000000]",
      },
    ]);
  });

  it("validateConfig(paired shapes, { maxBytes }) checks moving_image_shape and fixed_image_shape at the limit", () => {
    const paired = (moving: number[], fixed: number[]) => ({
      dataset: { type: "paired", format: "nifti", train: { dir: "a", labeled: false }, moving_image_shape: moving, fixed_image_shape: fixed },
    });
    expect(validateConfig(paired([8, 8, 8], [8, 8, 8]), { maxBytes: 8 * 8 * 8 * 4 }).ok).toBe(true);
    const result = validateConfig(paired([8, 8, 9], [8, 8, 8]), { maxBytes: 8 * 8 * 8 * 4 });
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([
      "expected a shape of at most 2048 bytes as float32 (maxBytes), found [8, 8, 9] (2304 bytes as float32)",
    ]);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(["dataset.moving_image_shape"]);
  });
});

describe("readConfig: files, merges, stderr", () => {
  let dir = "";
  const at = (name: string): string => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "drl-"));
    await writeFile(at("base.yaml"), "dataset:\n  type: paired\n  format: nifti\n  train: {dir: a, labeled: false}\n  moving_image_shape: [4, 4, 4]\n  fixed_image_shape: [4, 4, 4]\n");
    await writeFile(at("huge.yaml"), "dataset:\n  moving_image_shape: [1e10, 1e10, 1e10]\n");
    await writeFile(at("no-moving.yaml"), "dataset:\n  type: paired\n  format: nifti\n  train: {dir: a, labeled: false}\n  fixed_image_shape: [4, 4, 4]\n");
    await writeFile(at("no-fixed.yaml"), "dataset:\n  type: paired\n  format: nifti\n  train: {dir: a, labeled: false}\n");
    await writeFile(at("collection-key.yaml"), "dataset:\n  ? [a, b]\n  : 1\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("readConfig([base, override with a huge shape]) is INVALID_CONFIG listing both files", async () => {
    const error = await readConfig([at("base.yaml"), at("huge.yaml")]).catch((e: unknown) => e as DeepRegLoaderError);
    expect(error).toBeInstanceOf(DeepRegLoaderError);
    expect((error as DeepRegLoaderError).code).toBe("INVALID_CONFIG");
    expect((error as DeepRegLoaderError).message).toContain("dataset.moving_image_shape: expected a shape of at most 2 GiB as float32");
    expect((error as DeepRegLoaderError).details).toMatchObject({ files: [at("base.yaml"), at("huge.yaml")] });
    expect((error as DeepRegLoaderError).file).toBe(at("huge.yaml"));
    // The value comes from the first file: it is the one named.
    const flipped = await readConfig([at("huge.yaml"), at("no-moving.yaml")]).catch((e: unknown) => e as DeepRegLoaderError);
    expect(flipped).toBeInstanceOf(DeepRegLoaderError);
    expect((flipped as DeepRegLoaderError).file).toBe(at("huge.yaml"));
    // A missing key is blamed on the file that wrote its section, the last one that did.
    const missing = await readConfig([at("base.yaml"), at("no-moving.yaml")]).catch((e: unknown) => e);
    expect(missing).not.toBeInstanceOf(Error); // base's moving_image_shape stays: valid
    const alone = await readConfig([at("huge.yaml"), at("no-fixed.yaml")]).catch((e: unknown) => e as DeepRegLoaderError);
    expect((alone as DeepRegLoaderError).details).toMatchObject({
      errors: [
        { path: "dataset.moving_image_shape", file: at("huge.yaml") },
        { path: "dataset.fixed_image_shape", file: at("no-fixed.yaml") },
      ],
    });
  });

  it("a child reading a config with a collection key and an alias bomb prints nothing on stderr", async () => {
    await writeFile(at("bomb.yaml"), aliasBomb());
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const run = await runChild(
      `const { readConfig } = await import(${JSON.stringify(dist)});
       const out = [];
       for (const f of ${JSON.stringify([at("collection-key.yaml"), at("bomb.yaml")])}) {
         try { await readConfig(f); out.push("ok"); } catch (e) { out.push([e.code, e.file, e.details.line, e.details.column]); }
       }
       console.log(JSON.stringify(out));`,
    );
    expect(run.stderr).toBe("");
    expect(run.result).toEqual([
      ["INVALID_CONFIG", at("collection-key.yaml"), 2, 5],
      ["INVALID_CONFIG", at("bomb.yaml"), 7, 15],
    ]);
  });
});

describe("parsing time is linear in the size of the text", () => {
  const config = (keys: number): string => {
    const lines = ["dataset:"];
    for (let i = 0; i < keys; i++) lines.push(`  key_${i}: value ${i}`);
    return `${lines.join("\n")}\n`;
  };
  const time = (text: string): number => {
    const started = performance.now();
    parseConfigYaml(text, "big.yaml");
    return performance.now() - started;
  };

  it("parseConfigYaml(50,000 keys, 0.9 MB) takes under 8 s (~1.2 s here; PyYAML 2.4 s; the quadratic key check took 60 s)", () => {
    const text = config(50_000);
    expect(time(text)).toBeLessThan(8000);
  });

  it("parseConfigYaml(50,000 keys with one duplicate at the end) finds the duplicate", () => {
    const error = thrown(() => parseConfigYaml(`${config(50_000)}  key_7: again\n`, "big.yaml"));
    expect(error.message).toBe('invalid YAML in big.yaml:\nbig.yaml at line 50002, column 3: duplicate key "key_7" (first at line 9, column 3)');
  });
});
