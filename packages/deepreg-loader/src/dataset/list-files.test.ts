import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listNiftiFolder, niftiId, parseGroupKey } from "./list-files.js";

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
  // Hidden files and folders (macOS resource forks, .git): skipped, as Python's glob skips them.
  await writeFile(join(root, "top", "._b.nii.gz"), "x");
  await mkdir(join(root, "top", ".hidden"), { recursive: true });
  await writeFile(join(root, "top", ".hidden", "d.nii.gz"), "x");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("list files", () => {
  it("niftiId('sub/case1.nii.gz') -> 'sub/case1'; niftiId('x.txt') -> undefined", () => {
    expect(niftiId("sub/case1.nii.gz")).toBe("sub/case1");
    expect(niftiId("case1.nii")).toBe("case1");
    expect(niftiId("x.txt")).toBeUndefined();
  });

  it("listNiftiFolder(top) lists nested files and symlinks sorted by code unit, hidden files skipped and returned", async () => {
    const listing = await listNiftiFolder(join(root, "top"));
    expect(listing.entries.map((e) => e.id)).toEqual(["a", "b", "sub-x/c", "sub/Z", "sub/linked"]);
    expect(listing.entries[0]?.path).toBe(join(root, "top", "a.nii"));
    expect(listing.hidden).toEqual([join(root, "top", "._b.nii.gz"), join(root, "top", ".hidden", "d.nii.gz")]);
    expect(listing.problems).toEqual([]);
    expect(listing.status).toBe("listed");
  });

  it("listNiftiFolder(missing | empty | a.nii + a.nii.gz) returns NOT_FOUND, EMPTY, IDS_MISMATCH without throwing", async () => {
    const codes = async (folder: string) => (await listNiftiFolder(join(root, folder))).problems.map((p) => [p.code, p.file]);
    expect(await codes("missing")).toEqual([["NOT_FOUND", join(root, "missing")]]);
    expect(await codes("empty")).toEqual([["EMPTY", join(root, "empty")]]);
    expect(await codes("dup")).toEqual([["IDS_MISMATCH", join(root, "dup", "a.nii.gz")]]);
    expect((await listNiftiFolder(join(root, "missing"))).status).toBe("missing");
  });

  it("parseGroupKey('group-10-2') -> { group: '10', image: 2 }; 'group-a-1' and 'grp-1-1' -> undefined", () => {
    expect(parseGroupKey("group-10-2")).toEqual({ group: "10", image: 2 });
    expect(parseGroupKey("group-01-2")).toEqual({ group: "01", image: 2 });
    expect(parseGroupKey("group-a-1")).toBeUndefined();
    expect(parseGroupKey("grp-1-1")).toBeUndefined();
  });
});
