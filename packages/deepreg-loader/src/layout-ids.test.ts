import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertSameIds, compareIds, groupH5Keys, listNiftiFiles, niftiId, parseGroupKey } from "./layout-ids.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "drl-"));
  // Content does not matter for listing: only names.
  for (const rel of ["top/b.nii.gz", "top/a.nii", "top/sub/Z.nii.gz", "top/sub-x/c.nii.gz", "top/notes.txt", "empty/readme.md"]) {
    await mkdir(join(root, rel, ".."), { recursive: true });
    await writeFile(join(root, rel), "x");
  }
  await mkdir(join(root, "dup"), { recursive: true });
  await writeFile(join(root, "dup", "a.nii"), "x");
  await writeFile(join(root, "dup", "a.nii.gz"), "x");
  await symlink(join(root, "top", "b.nii.gz"), join(root, "top", "sub", "linked.nii.gz"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("layout ids", () => {
  it("niftiId('sub/case1.nii.gz') -> 'sub/case1'; niftiId('x.txt') -> undefined", () => {
    expect(niftiId("sub/case1.nii.gz")).toBe("sub/case1");
    expect(niftiId("case1.nii")).toBe("case1");
    expect(niftiId("x.txt")).toBeUndefined();
  });

  it("listNiftiFiles(top) lists nested files and symlinks, sorted by code unit like Python's sorted()", async () => {
    const entries = await listNiftiFiles(join(root, "top"));
    expect(entries.map((e) => e.id)).toEqual(["a", "b", "sub-x/c", "sub/Z", "sub/linked"]);
    expect(entries[0]?.path).toBe(join(root, "top", "a.nii"));
  });

  it("listNiftiFiles(missing) throws NOT_FOUND; a folder without NIfTI files throws EMPTY; a.nii + a.nii.gz throw IDS_MISMATCH", async () => {
    await expect(listNiftiFiles(join(root, "missing"))).rejects.toMatchObject({ code: "NOT_FOUND", file: join(root, "missing") });
    await expect(listNiftiFiles(join(root, "empty"))).rejects.toMatchObject({ code: "EMPTY", file: join(root, "empty") });
    await expect(listNiftiFiles(join(root, "dup"))).rejects.toMatchObject({ code: "IDS_MISMATCH" });
  });

  it("compareIds([images: a b c, labels: b c d]) reports a only in images and d only in labels", () => {
    expect(compareIds([{ name: "images/", ids: ["a", "b", "c"] }, { name: "labels/", ids: ["b", "c", "d"] }])).toEqual([
      { reference: "images/", other: "labels/", onlyInReference: ["a"], onlyInOther: ["d"] },
    ]);
    expect(compareIds([{ name: "x", ids: ["a"] }, { name: "y", ids: ["a"] }])).toEqual([]);
  });

  it("assertSameIds(dir, differing) throws IDS_MISMATCH naming which folder has which extra ids", () => {
    expect(() =>
      assertSameIds("/d", [
        { name: "moving_images/", ids: ["a", "b"] },
        { name: "fixed_images/", ids: ["a", "b"] },
        { name: "fixed_labels/", ids: ["a", "c"] },
      ]),
    ).toThrow('/d: file ids must match across moving_images/, fixed_images/, fixed_labels/: moving_images/ has "b" that fixed_labels/ lacks; fixed_labels/ has "c" that moving_images/ lacks');
  });

  it("parseGroupKey('group-10-2') -> { group: 10, image: 2 }; 'group-a-1' and 'grp-1-1' -> undefined", () => {
    expect(parseGroupKey("group-10-2")).toEqual({ group: 10, image: 2 });
    expect(parseGroupKey("group-a-1")).toBeUndefined();
    expect(parseGroupKey("grp-1-1")).toBeUndefined();
  });

  it("groupH5Keys(keys) orders groups and images numerically: group-10-1 after group-2-1", () => {
    const keys = ["group-1-10", "group-1-2", "group-10-1", "group-2-1", "group-2-2"].sort();
    expect(groupH5Keys("f.h5", keys)).toEqual([
      { group: 1, keys: ["group-1-2", "group-1-10"] },
      { group: 2, keys: ["group-2-1", "group-2-2"] },
      { group: 10, keys: ["group-10-1"] },
    ]);
  });

  it("groupH5Keys(['group-1-1', 'case1']) throws BAD_KEY naming the key; group-1-1 with group-01-1 too", () => {
    expect(() => groupH5Keys("f.h5", ["group-1-1", "case1"])).toThrow(/f\.h5: grouped H5 keys must read group-<g>-<i> .*"case1"/);
    expect(() => groupH5Keys("f.h5", ["group-1-1", "group-01-1"])).toThrow(expect.objectContaining({ code: "BAD_KEY" }));
  });
});
