import { DeepRegLoaderError } from "@deepreg-loader/core";
import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "./parse-config-yaml.js";

function thrown(fn: () => unknown): DeepRegLoaderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeepRegLoaderError) return error;
    throw error;
  }
  throw new Error("expected a DeepRegLoaderError");
}

describe("parseConfigYaml", () => {
  it("parseConfigYaml(YAML 1.1 booleans) reads yes/on/True as true and no/off/FALSE as false, like PyYAML", () => {
    const text = "a: yes\nb: on\nc: True\nd: no\ne: off\nf: FALSE\ng: Yes\nh: OFF\n";
    expect(parseConfigYaml(text)).toEqual({ a: true, b: true, c: true, d: false, e: false, f: false, g: true, h: false });
  });

  it("parseConfigYaml(y / n) keeps them as strings, like PyYAML", () => {
    expect(parseConfigYaml("y: n\nx: [y, Y, n, N]\n")).toEqual({ y: "n", x: ["y", "Y", "n", "N"] });
  });

  it("parseConfigYaml(numbers, lists, null)", () => {
    expect(parseConfigYaml('lr: 1.0e-5\nshape: [16, 16, 8]\nvalid:\nname: "h5"\nneg: -1\n')).toEqual({
      lr: 1e-5,
      shape: [16, 16, 8],
      valid: null,
      name: "h5",
      neg: -1,
    });
  });

  it("parseConfigYaml(<< merge key) merges, as YAML 1.1 does", () => {
    expect(parseConfigYaml("base: &b {format: h5, labeled: true}\ntrain:\n  <<: *b\n  dir: d\n")).toEqual({
      base: { format: "h5", labeled: true },
      train: { format: "h5", labeled: true, dir: "d" },
    });
  });

  it("parseConfigYaml('') = null", () => {
    expect(parseConfigYaml("")).toBeNull();
    expect(parseConfigYaml("# only a comment\n")).toBeNull();
  });

  it("parseConfigYaml(unclosed list, file) throws INVALID_CONFIG naming the file, line and column", () => {
    const error = thrown(() => parseConfigYaml("dataset:\n  image_shape: [16, 16\n  type: paired\n", "bad.yaml"));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.file).toBe("bad.yaml");
    expect(error.message).toBe(
      "invalid YAML in bad.yaml:\nbad.yaml at line 3, column 3: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    expect(error.details).toEqual({
      line: 3,
      column: 3,
      errors: [
        {
          code: "BAD_INDENT",
          message: "Flow sequence in block collection must be sufficiently indented and end with a ]",
          line: 3,
          column: 3,
        },
      ],
    });
  });

  it("parseConfigYaml(duplicate key) throws INVALID_CONFIG at the second occurrence", () => {
    const error = thrown(() => parseConfigYaml("dataset:\n  type: paired\n  type: unpaired\n", "dup.yaml"));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe('invalid YAML in dup.yaml:\ndup.yaml at line 3, column 3: duplicate key "type" (first at line 2, column 3)');
  });

  it("parseConfigYaml(bad text) without a file says `YAML text`", () => {
    const error = thrown(() => parseConfigYaml('a: "open\n'));
    expect(error.file).toBeUndefined();
    expect(error.message).toMatch(/^invalid YAML in YAML text:\nYAML text at line 2, column 1: Missing closing "quote$/);
  });
});
