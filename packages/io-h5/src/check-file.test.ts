import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkH5File } from "./check-file.js";

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, bytes: Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  return file;
}

describe("checkH5File", () => {
  it("checkH5File(signature at 0) resolves", async () => {
    await expect(checkH5File(await fixture("a.h5", Buffer.concat([SIGNATURE, Buffer.alloc(100)])))).resolves.toBeUndefined();
  });
  it("checkH5File(signature after a 1024-byte user block) resolves", async () => {
    const bytes = Buffer.concat([Buffer.alloc(1024, 0x41), SIGNATURE, Buffer.alloc(100)]);
    await expect(checkH5File(await fixture("ub.h5", bytes))).resolves.toBeUndefined();
  });
  it("checkH5File(missing) -> NOT_FOUND naming the file", async () => {
    const file = join(dir, "missing.h5");
    await expect(checkH5File(file)).rejects.toMatchObject({ code: "NOT_FOUND", file, message: `${file}: no such HDF5 file` });
  });
  it("checkH5File(0 bytes) -> EMPTY", async () => {
    const file = await fixture("empty.h5", Buffer.alloc(0));
    await expect(checkH5File(file)).rejects.toMatchObject({ code: "EMPTY", file });
  });
  it("checkH5File(text) -> NOT_HDF5 showing the first bytes", async () => {
    const file = await fixture("text.h5", Buffer.from("hello world\n"));
    await expect(checkH5File(file)).rejects.toMatchObject({
      code: "NOT_HDF5",
      file,
      message: `${file}: not an HDF5 file: no signature 89 48 44 46 0d 0a 1a 0a at offset 0, 512, 1024, ...; it starts with 68 65 6c 6c 6f 20 77 6f`,
    });
  });
  it("checkH5File(first 5 bytes of the signature) -> TRUNCATED", async () => {
    const file = await fixture("cut.h5", SIGNATURE.subarray(0, 5));
    await expect(checkH5File(file)).rejects.toMatchObject({ code: "TRUNCATED", file });
  });
  it("checkH5File(directory) -> READ_FAILED", async () => {
    const sub = join(dir, "folder.h5");
    await mkdir(sub);
    await expect(checkH5File(sub)).rejects.toMatchObject({ code: "READ_FAILED", file: sub });
  });
});
