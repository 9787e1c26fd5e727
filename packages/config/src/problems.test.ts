import { describe, expect, it } from "vitest";
import { describeValue, formatConfigProblem, isMapping, ProblemList } from "./problems.js";

describe("describeValue", () => {
  it.each([
    [undefined, "nothing"],
    [null, "null"],
    ["pared", '"pared"'],
    [1.5, "1.5"],
    [false, "false"],
    [[8, 8], "[8, 8]"],
    [[1, "a", { b: 1 }, [2]], '[1, "a", {...}, [2]]'],
    [[1, 2, 3, 4, 5, 6, 7], "[1, 2, 3, 4, 5, 6, ...]"],
    [{}, "an empty mapping"],
    [{ dir: "a", format: "h5" }, "a mapping (dir, format)"],
    [new Date(Date.UTC(2020, 0, 2)), "a date (2020-01-02T00:00:00.000Z)"],
  ])("describeValue(%j) = %s", (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it("describeValue(long string) cuts at 80 characters", () => {
    expect(describeValue("x".repeat(100))).toBe(`"${"x".repeat(80)}..."`);
  });
});

describe("isMapping", () => {
  it("isMapping(plain objects) only", () => {
    expect(isMapping({})).toBe(true);
    expect(isMapping(Object.create(null))).toBe(true);
    expect(isMapping([])).toBe(false);
    expect(isMapping(null)).toBe(false);
    expect(isMapping(new Date())).toBe(false);
    expect(isMapping("a")).toBe(false);
  });
});

describe("formatConfigProblem", () => {
  it("formatConfigProblem({ path, message }) is one line `path: message`", () => {
    expect(formatConfigProblem({ path: "dataset.type", message: "expected x, found y" })).toBe(
      "dataset.type: expected x, found y",
    );
    expect(formatConfigProblem({ path: "", message: "expected a mapping, found null" })).toBe(
      "(top level): expected a mapping, found null",
    );
  });
});

describe("ProblemList", () => {
  it("expected(path, expected, value, suggestion) and unknownKey(...) build problems", () => {
    const problems = new ProblemList();
    problems.expected("a.b", "true or false", "yes", true);
    problems.expected("a.c", "a positive integer", undefined);
    problems.unknownKey("a.dirr", "dirr", ["dir", "format"], "dir");
    problems.unknownKey("a.zzz", "zzz", ["dir", "format"], undefined);
    expect(problems.errors).toEqual([
      {
        path: "a.b",
        message: 'expected true or false, found "yes" (did you mean true?)',
        expected: "true or false",
        found: '"yes"',
        suggestion: "true",
      },
      { path: "a.c", message: "expected a positive integer, found nothing", expected: "a positive integer", found: "nothing" },
      { path: "a.dirr", message: 'unknown key (did you mean "dir"?)', expected: "one of dir, format", found: '"dirr"', suggestion: "dir" },
      { path: "a.zzz", message: "unknown key, expected one of dir, format", expected: "one of dir, format", found: '"zzz"' },
    ]);
    expect(problems.warnings).toEqual([]);
  });
});
