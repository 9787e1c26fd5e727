import { describe, expect, it } from "vitest";
import { version } from "../../package.json";
import { run } from "./test-io.js";

const cwd = process.cwd();

describe("main: help and version", () => {
  it("main([]) prints the tool's help on stderr, exit 2", async () => {
    const r = await run([], cwd);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: deepreg-loader <command> CONFIG... [options]");
  });

  it("main(['--help']) lists every command, exit 0", async () => {
    const r = await run(["--help"], cwd);
    expect(r.code).toBe(0);
    for (const line of [
      "  info     describe each split: type, format, counts, shapes, label channels",
      "  check    pre-flight check of every file; lists every problem",
      "  export   write a split's samples as .npy files plus manifest.json",
      "  preview  draw a PNG montage of samples with label overlays",
      "Exit codes: 0 fine, 1 data or config problems (one line each), 2 usage mistakes.",
    ]) {
      expect(r.stdout.split("\n")).toContain(line);
    }
  });

  it("main(['--version']) prints the package version", async () => {
    expect(await run(["-v"], cwd)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it.each([
    ["info", "Usage: deepreg-loader info CONFIG... [--split S] [--json]"],
    ["check", "Usage: deepreg-loader check CONFIG... [--split S] [--json] [--headers-only] [--workers N]"],
    ["export", "Usage: deepreg-loader export CONFIG... --split S --out DIR [--epoch N] [--limit N] [--seed N] [--overwrite] [--no-augment]"],
    ["preview", "Usage: deepreg-loader preview CONFIG... --split S --out FILE.png [--samples N] [--slice S] [--epoch N] [--seed N] [--no-augment]"],
  ])("main(['%s', '--help']) starts with its usage line", async (command, usage) => {
    const r = await run([command, "--help"], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(usage);
    expect(r.stdout).toContain("  -h, --help");
    expect(await run(["help", command], cwd)).toEqual(r);
  });
});

describe("main: usage mistakes exit 2 with one error line and the usage", () => {
  it.each([
    [["chek", "a.yaml"], 'error: unknown command "chek" (did you mean check?)'],
    [["exprot", "a.yaml"], 'error: unknown command "exprot" (did you mean export?)'],
    [["frobnicate"], 'error: unknown command "frobnicate"; commands: info, check, export, preview'],
    [["--jsn"], "error: unknown option --jsn; commands: info, check, export, preview"],
    [["help", "infos"], 'error: unknown command "infos" (did you mean info?)'],
    [["info", "a.yaml", "--jsn"], 'error: unknown option --jsn for "info" (did you mean --json?)'],
    [["info", "a.yaml", "-x"], 'error: unknown option -x for "info"'],
    [["check", "a.yaml", "--split", "trian"], 'error: --split must be one of train, valid, test, found "trian" (did you mean train?)'],
    [["check", "a.yaml", "--split"], "error: option --split needs a value (--split S)"],
    [["check", "a.yaml", "--json=yes"], 'error: option --json takes no value, found "yes"'],
    [["info"], "error: missing CONFIG... (at least one config file)"],
    [["export", "a.yaml", "--split", "train"], "error: missing option --out DIR"],
    [["export", "a.yaml", "--out", "x"], "error: missing option --split S"],
    [["export", "a.yaml", "--split", "--out", "x"], "error: option --split needs a value (--split S)"],
    [["export", "a.yaml", "--split", "test", "--out", "x", "--limit", "0"], 'error: --limit must be an integer >= 1, found "0"'],
    [["export", "a.yaml", "--split", "test", "--out", "x", "--seed", "1.5"], 'error: --seed must be an integer >= 0, found "1.5"'],
    [["preview", "a.yaml", "--split", "test", "--out", "x.png", "--sample", "2"], 'error: unknown option --sample for "preview" (did you mean --samples?)'],
    [["export", "a.yaml", "--split", "test", "--out", "x", "--limit", "-1"], 'error: --limit must be an integer >= 1, found "-1"'],
    [["export", "a.yaml", "--split", "test", "--out", "x", "--epoch", "-2"], 'error: --epoch must be an integer >= 0, found "-2"'],
    [["export", "a.yaml", "--split", "test", "--split", "train", "--out", "x"], 'error: --split given twice ("test", then "train"); give it once'],
    [["check", "a.yaml", "--split=test", "--split", "test"], 'error: --split given twice ("test", then "test"); give it once'],
    [["preview", "a.yaml", "--split", "test", "--out", "x.jpg"], 'error: --out must end in .png, found "x.jpg"'],
    [["preview", "a.yaml", "--split", "test", "--out", "x.png", "--slice", "lable"], 'error: --slice must be one of mid, label, found "lable" (did you mean label?)'],
  ])("main(%j)", async (argv, line) => {
    const r = await run(argv, cwd);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(line);
    expect(lines[1]).toMatch(/^usage: deepreg-loader /);
    expect(lines).toHaveLength(3);
  });
});

describe("main: config problems exit 1, one line each, no stack trace", () => {
  it("main(['info', 'missing.yaml'])", async () => {
    const r = await run(["info", "missing.yaml"], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`error: config file not found: missing.yaml (looked for ${cwd}/missing.yaml) [NOT_FOUND]\n`);
  });

  it("main(['info', 'missing.yaml', '--json']) prints { errors } on stdout", async () => {
    const r = await run(["info", "missing.yaml", "--json"], cwd);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          code: "NOT_FOUND",
          file: "missing.yaml",
          message: `config file not found: missing.yaml (looked for ${cwd}/missing.yaml)`,
        },
      ],
    });
  });
});
