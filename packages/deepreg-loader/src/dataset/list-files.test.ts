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

describe("list files: symbolic link loops", () => {
  it("listNiftiFolder(images) with two links to '.' in a group folder -> one READ_FAILED per link naming it, files listed once", async () => {
    const images = join(root, "loops", "images");
    await mkdir(join(images, "g1"), { recursive: true });
    await writeFile(join(images, "g1", "a.nii.gz"), "x");
    await symlink(".", join(images, "g1", "loop1"));
    await symlink(".", join(images, "g1", "loop2"));
    const listing = await listNiftiFolder(images);
    expect(listing.entries.map((e) => e.id)).toEqual(["g1/a"]);
    expect(listing.problems.map((p) => [p.code, p.file])).toEqual([
      ["READ_FAILED", join(images, "g1", "loop1")],
      ["READ_FAILED", join(images, "g1", "loop2")],
    ]);
    expect(listing.problems[0]?.message).toBe(
      `${join(images, "g1", "loop1")}: symbolic link loop: leads back to ${join(images, "g1")}, a folder containing it; remove the link`,
    );
  });

  it("listNiftiFolder(top) with a link to the top folder's parent -> a loop naming the link", async () => {
    const top = join(root, "loops2", "top");
    await mkdir(join(top, "sub"), { recursive: true });
    await writeFile(join(top, "sub", "a.nii"), "x");
    await symlink("../..", join(top, "sub", "up"));
    const listing = await listNiftiFolder(top);
    // `up` is loops2/, which is not walked yet: its `top` is then the loop.
    expect(listing.problems.map((p) => [p.code, p.file])).toEqual([["READ_FAILED", join(top, "sub", "up", "top")]]);
  });

  it("listNiftiFolder(top) with a folder reached through two links -> READ_FAILED naming the second; hidden loops are skipped silently", async () => {
    const top = join(root, "twice", "top");
    await mkdir(join(root, "twice", "shared"), { recursive: true });
    await mkdir(top, { recursive: true });
    await writeFile(join(root, "twice", "shared", "a.nii"), "x");
    await symlink("../shared", join(top, "l1"));
    await symlink("../shared", join(top, "l2"));
    await symlink(".", join(top, ".self"));
    const listing = await listNiftiFolder(top);
    expect(listing.entries.map((e) => e.id)).toEqual(["l1/a"]);
    expect(listing.problems.map((p) => [p.code, p.message])).toEqual([
      ["READ_FAILED", `${join(top, "l2")}: leads to ${join(top, "l1")} again (a folder reached twice through symbolic links); link each folder once`],
    ]);
  });

  it("listNiftiFolder over a binary tree of links 40 deep finishes at once (each folder walked once)", async () => {
    // d0/{a,b} -> d1, d1/{a,b} -> d2, ...: 2^40 paths if walked by path.
    const top = join(root, "tree");
    for (let i = 0; i <= 40; i += 1) await mkdir(join(top, `d${i}`), { recursive: true });
    for (let i = 0; i < 40; i += 1) {
      await symlink(`../d${i + 1}`, join(top, `d${i}`, "a"));
      await symlink(`../d${i + 1}`, join(top, `d${i}`, "b"));
    }
    await writeFile(join(top, "d40", "x.nii"), "x");
    const started = Date.now();
    const listing = await listNiftiFolder(join(top, "d0"));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(listing.entries.map((e) => e.id)).toEqual([`${Array.from({ length: 40 }, () => "a").join("/")}/x`]);
    expect(listing.problems).toHaveLength(40);
  });
});
