import { describe, expect, it } from "vitest";
import { clonePlain, mergeConfigs } from "./merge-configs.js";

describe("mergeConfigs", () => {
  it("mergeConfigs([]) = {}", () => {
    expect(mergeConfigs([])).toEqual({});
  });

  it("mergeConfigs([a]) is a deep copy of a", () => {
    const a = { dataset: { train: { dir: ["x"] } } };
    const merged = mergeConfigs([a]) as typeof a;
    expect(merged).toEqual(a);
    expect(merged.dataset).not.toBe(a.dataset);
    expect(merged.dataset.train.dir).not.toBe(a.dataset.train.dir);
  });

  it("mergeConfigs([base, override]) merges mappings key by key, recursively", () => {
    const base = {
      dataset: { type: "paired", train: { dir: "a", format: "nifti", labeled: true }, moving_image_shape: [16, 16, 16] },
      train: { epochs: 2 },
    };
    const override = { dataset: { train: { labeled: false } }, train: { method: "ddf" } };
    expect(mergeConfigs([base, override])).toEqual({
      dataset: { type: "paired", train: { dir: "a", format: "nifti", labeled: false }, moving_image_shape: [16, 16, 16] },
      train: { epochs: 2, method: "ddf" },
    });
  });

  it("mergeConfigs([base, override]): lists and scalars replace, they do not concatenate", () => {
    const base = { dataset: { train: { dir: ["a", "b"] }, image_shape: [16, 16, 16] } };
    const override = { dataset: { train: { dir: ["c"] }, image_shape: [8, 8, 8] } };
    expect(mergeConfigs([base, override])).toEqual({ dataset: { train: { dir: ["c"] }, image_shape: [8, 8, 8] } });
  });

  it("mergeConfigs([base, override]): null replaces a mapping, a mapping replaces a scalar", () => {
    expect(mergeConfigs([{ a: { b: 1 }, c: 3 }, { a: null, c: { d: 4 } }])).toEqual({ a: null, c: { d: 4 } });
  });

  it("mergeConfigs([a, b, c]): the last one wins", () => {
    expect(mergeConfigs([{ x: 1, y: 1 }, { x: 2 }, { x: 3, z: 3 }])).toEqual({ x: 3, y: 1, z: 3 });
  });

  it("mergeConfigs([mapping, 5]) = 5 (a non-mapping replaces the whole)", () => {
    expect(mergeConfigs([{ a: 1 }, 5])).toBe(5);
  });

  it("mergeConfigs(inputs) leaves its inputs unchanged", () => {
    const base = { t: { p: { a: 1 } } };
    const override = { t: { p: { b: 2 } } };
    const merged = mergeConfigs([base, override]) as { t: { p: Record<string, number> } };
    merged.t.p.a = 99;
    expect(base).toEqual({ t: { p: { a: 1 } } });
    expect(override).toEqual({ t: { p: { b: 2 } } });
  });

  it("mergeConfigs([{__proto__ key}]) keeps it as data, not as a prototype", () => {
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const merged = mergeConfigs([{ a: 0 }, evil]) as Record<string, unknown>;
    expect(Object.keys(merged)).toEqual(["a", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((merged as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("clonePlain", () => {
  it("clonePlain(value) copies mappings and lists, keeps dates", () => {
    const date = new Date(0);
    const value = { a: [1, { b: 2 }], d: date };
    const copy = clonePlain(value) as typeof value;
    expect(copy).toEqual(value);
    expect(copy.a).not.toBe(value.a);
    expect(copy.d).toBe(date);
  });
});
