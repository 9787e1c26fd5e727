// Hostile .nii / .nii.gz files (issue 12): memory follows what the header declares, not what
// the file holds. Each bomb is read in a child process whose peak resident size is measured.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runChild } from "../../../test-utils/child.js";
import { encodeNifti } from "./encode-nifti.js";
import { readNifti, readNiftiSync } from "./read-nifti.js";
import { caught, patched, tempDir, volumeOf } from "./test-helpers.js";

const MiB = 2 ** 20;
const SHAPE = [7, 5, 3];
const volume = volumeOf(SHAPE, (n) => n * 1.5 - 40);
const plain = encodeNifti(volume); // float32, vox_offset 352: 772 bytes
/** 64 MiB of zeros as one gzip member (about 64 KiB). */
const zeroMember = gzipSync(new Uint8Array(64 * MiB), { level: 9 });

let dir = "";
let remove = async (): Promise<void> => {};
const at = (name: string): string => join(dir, name);

/** Writes one gzip member holding `head` followed by `zeros` bytes of zeros, streamed. */
async function writeBomb(path: string, head: Uint8Array, zeros: number): Promise<void> {
  const { createGzip } = await import("node:zlib");
  const gzip = createGzip({ level: 9 });
  const out = createWriteStream(path);
  gzip.pipe(out);
  gzip.write(head);
  const chunk = new Uint8Array(16 * MiB);
  for (let left = zeros; left > 0; left -= chunk.length) {
    if (!gzip.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(gzip, "drain");
  }
  gzip.end();
  await once(out, "close");
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  const members = (head: Uint8Array, n: number): Uint8Array =>
    Buffer.concat([gzipSync(head), ...Array.from({ length: n }, () => zeroMember)]);
  const terabytes = patched(plain, (v) => [42, 44, 46].forEach((o) => v.setInt16(o, 32000, true)));
  await Promise.all([
    writeBomb(at("bomb.nii.gz"), plain, 512 * MiB),
    writeFile(at("members.nii.gz"), members(plain, 24)), // 1.5 GiB after the image
    writeFile(at("terabytes.nii.gz"), members(terabytes.subarray(0, 352), 24)),
    writeFile(at("sparse.nii"), plain),
  ]);
  await truncate(at("sparse.nii"), 1.5 * 2 ** 30); // a hole: reads as zeros, takes no disk
}, 120_000);

afterAll(() => remove());

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Reads `path` in a child with `reader`; its peak resident growth over the baseline, and the outcome. */
async function readInChild(path: string, reader: "readNifti" | "readNiftiSync") {
  const run = await runChild(
    `const { ${reader} } = await import(${JSON.stringify(DIST)});
     const before = peak();
     let outcome;
     let after;
     try {
       const v = await ${reader}(${JSON.stringify(path)});
       after = peak();
       outcome = { shape: v.shape, data: v.data.length < 1000 ? Array.from(v.data) : v.data.length };
     } catch (e) {
       after = peak();
       outcome = { name: e.name, code: e.code, file: e.file, message: e.message };
     }
     console.log(JSON.stringify({ outcome, growth: after.maxRss - before.rss }));`,
    { timeoutMs: 60_000 },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return run.result as { outcome: Record<string, unknown>; growth: number };
}

describe("memory is bounded by the header (child processes, peak RSS)", () => {
  test.each([
    ["bomb.nii.gz", "one gzip member: 7x5x3 float32 then 512 MiB of zeros"],
    ["members.nii.gz", "the image, then 24 gzip members of 64 MiB of zeros"],
    ["sparse.nii", "a 7x5x3 .nii made sparse to 1.5 GiB"],
  ])("readNifti / readNiftiSync(%s: %s) return the declared voxels, peak growth < 32 MiB", async (name) => {
    for (const reader of ["readNifti", "readNiftiSync"] as const) {
      const { outcome, growth } = await readInChild(at(name), reader);
      expect(outcome).toEqual({ shape: SHAPE, data: Array.from(volume.data) });
      expect(growth).toBeLessThan(32 * MiB);
    }
  });

  test("readNifti(160^3 float32 .nii.gz, 16 MiB): peak growth within the stated bound, 3x the volume + 8 MiB", async () => {
    const big = volumeOf([160, 160, 160], (n) => (n % 997) * 0.25);
    await writeFile(at("big.nii.gz"), gzipSync(encodeNifti(big), { level: 1 }));
    const V = big.data.length * 4;
    for (const reader of ["readNifti", "readNiftiSync"] as const) {
      const { outcome, growth } = await readInChild(at("big.nii.gz"), reader);
      expect(outcome.shape).toEqual([160, 160, 160]);
      expect(growth).toBeLessThan(3 * V + 8 * MiB);
    }
  });

  test("readNifti(header declaring 32000^3 float32 over a 1.5 GiB stream) is TOO_LARGE before inflating", async () => {
    for (const reader of ["readNifti", "readNiftiSync"] as const) {
      const { outcome, growth } = await readInChild(at("terabytes.nii.gz"), reader);
      expect(outcome).toMatchObject({ name: "DeepRegLoaderError", code: "TOO_LARGE", file: at("terabytes.nii.gz") });
      expect(outcome.message).toMatch(/header declares shape \[32000, 32000, 32000\]/);
      expect(growth).toBeLessThan(32 * MiB);
    }
  });
});

describe("what follows the declared voxels is ignored (as nibabel does)", () => {
  const gz = gzipSync(plain);
  const cases: [string, Uint8Array][] = [
    ["trailing non-gzip bytes after the stream", Buffer.concat([gz, Buffer.from("trailing garbage, not gzip")])],
    ["extra inflated bytes inside the stream", gzipSync(Buffer.concat([plain, new Uint8Array(3000).fill(7)]))],
    ["extra inflated bytes beyond 64 KiB inside the stream", gzipSync(Buffer.concat([plain, new Uint8Array(3 * MiB).fill(7)]))],
    ["a second gzip member", Buffer.concat([gz, gzipSync(new Uint8Array(5000))])],
    ["invalid deflate data after the voxels", Buffer.concat([gzipSync(Buffer.concat([plain, new Uint8Array(2 * MiB)])).subarray(0, 3000), new Uint8Array(64).fill(0xff)])],
  ];
  test.each(cases)("readNifti(.nii.gz with %s) equals the clean read", async (_, bytes) => {
    expect((await readNifti(bytes)).data).toEqual(volume.data);
    expect(readNiftiSync(bytes).data).toEqual(volume.data);
  });

  test("readNifti(.nii.gz with a wrong CRC, or a damaged byte in the voxels) is READ_FAILED, never a partial read", async () => {
    const gz = gzipSync(plain, { level: 0 });
    const badCrc = patched(gz, (v) => v.setUint32(gz.length - 8, v.getUint32(gz.length - 8, true) ^ 1, true));
    const badVoxel = patched(gz, (v) => v.setUint8(600, v.getUint8(600) ^ 0xff)); // stored block: a voxel byte
    for (const bytes of [badCrc, badVoxel, Buffer.concat([badCrc, Buffer.from("trailing")])]) {
      for (const read of [readNifti, readNiftiSync]) {
        const error = await caught(() => read(bytes, { file: "crc.nii.gz" }));
        expect(error.code).toBe("READ_FAILED");
        expect(error.message).toBe("crc.nii.gz: invalid gzip data (incorrect data check)");
      }
    }
  });

  test("readNifti(.nii with bytes after the voxels) equals the clean read", async () => {
    const bytes = Buffer.concat([plain, new Uint8Array(10_000).fill(9)]);
    expect((await readNifti(bytes)).data).toEqual(volume.data);
  });

  test("readNifti(.nii.gz whose stream ends before the voxels) is TRUNCATED with zlib's error", async () => {
    const gz = gzipSync(plain);
    // Cut inside the voxels, inside the 8-byte trailer (the voxels are there, unverified), a short stream.
    for (const bytes of [gz.subarray(0, gz.length - 30), gz.subarray(0, gz.length - 4), gzipSync(plain.subarray(0, 700))]) {
      for (const read of [readNifti, readNiftiSync]) {
        const error = await caught(() => read(bytes, { file: "cut.nii.gz" }));
        expect(error.code).toBe("TRUNCATED");
        expect(error.message.startsWith("cut.nii.gz: ")).toBe(true);
      }
    }
  });

  test("readNifti(.nii.gz with invalid deflate data inside the voxels) is READ_FAILED", async () => {
    const gz = gzipSync(plain, { level: 0 }); // stored: voxel bytes appear as they are
    const bad = patched(gz, () => {});
    bad.set(new Uint8Array(8).fill(0xff), 5); // break the deflate block header instead
    for (const read of [readNifti, readNiftiSync]) {
      const error = await caught(() => read(bad, { file: "bad.nii.gz" }));
      expect(["READ_FAILED", "TRUNCATED"]).toContain(error.code);
      expect(error.file).toBe("bad.nii.gz");
    }
  });
});

describe("vox_offset and header extensions", () => {
  /** The image after 32 bytes of extension (esize field `esize`, ecode 6: a comment), with vox_offset `voxOffset`. */
  function withExtension(esize: number, voxOffset: number): Uint8Array {
    const ext = new Uint8Array(32);
    const view = new DataView(ext.buffer);
    view.setInt32(0, esize, true);
    view.setInt32(4, 6, true);
    ext.set(new TextEncoder().encode("a comment, no voxels"), 8);
    const bytes = new Uint8Array(Buffer.concat([plain.subarray(0, 348), Uint8Array.of(1, 0, 0, 0), ext, plain.subarray(352)]));
    return patched(bytes, (v) => v.setFloat32(108, voxOffset, true));
  }

  test("readNifti(.nii with a 32-byte extension and vox_offset after it) reads the voxels", async () => {
    const bytes = withExtension(32, 384);
    expect((await readNifti(bytes)).data).toEqual(volume.data);
    expect((await readNifti(gzipSync(bytes))).data).toEqual(volume.data);
  });

  test.each([
    [32, 368, /extension at byte 352 of 32 bytes ends at byte 384, but vox_offset is 368/],
    [0, 368, /extension at byte 352 has size 0/],
    [-16, 368, /extension at byte 352 has size -16/],
  ])("readNifti(.nii, extension of %i bytes, vox_offset %i) is BAD_HEADER", async (esize, voxOffset, message) => {
    const bytes = withExtension(esize, voxOffset);
    for (const input of [bytes, gzipSync(bytes)]) {
      for (const read of [readNifti, readNiftiSync]) {
        const error = await caught(() => read(input, { file: "ext.nii" }));
        expect(error.code).toBe("BAD_HEADER");
        expect(error.message).toMatch(message);
        expect(error.message).toMatch(/^ext\.nii: .*vox_offset points inside the header extensions$/);
      }
    }
  });

  test("readNifti(vox_offset of 100 MiB) is TOO_LARGE before reading", async () => {
    const bytes = patched(plain, (v) => v.setFloat32(108, 100 * MiB, true));
    const error = await caught(() => readNifti(bytes, { file: "far.nii" }));
    expect(error.code).toBe("TOO_LARGE");
    expect(error.message).toMatch(/^far\.nii: vox_offset 104857600 puts 100 MiB of header extensions before the voxels; the limit is 64 MiB$/);
  });
});
