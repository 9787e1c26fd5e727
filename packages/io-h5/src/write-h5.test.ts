import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { openH5 } from "./open-h5.js";
import { writeH5 } from "./write-h5.js";

let dir: string;
const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drl-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeH5 round trip", () => {
  it("writeH5(path, { image: Volume [5,4,3], label: Volume [5,4,3,2] }) -> openH5 reads the same", async () => {
    const file = join(dir, "round.h5");
    const image = createVolume(ramp(60), [5, 4, 3]);
    const label = createVolume(ramp(120).map((v) => (v > 0 ? 1 : 0)), [5, 4, 3, 2]);
    await writeH5(file, { image, label });
    const h5 = await openH5(file);
    expect(h5.keys()).toEqual(["image", "label"]);
    expect(h5.read("image").data).toEqual(image.data);
    expect(h5.read("label").shape).toEqual([5, 4, 3, 2]);
    expect(h5.read("label").data).toEqual(label.data);
    h5.close();
  });

  it("writeH5(path, entries, { compression: 'gzip', level: 9, chunks: [2,4,3] }) round-trips; an existing file is replaced, no temp left", async () => {
    const file = join(dir, "gz.h5");
    await writeH5(file, { old: { data: new Uint8Array(1), shape: [1] } });
    await writeH5(file, { x: { data: Int16Array.from(ramp(60), (v) => v * 100), shape: [5, 4, 3] } }, { compression: "gzip", level: 9, chunks: [2, 4, 3] });
    const h5 = await openH5(file);
    expect(h5.keys()).toEqual(["x"]);
    expect(h5.dtype("x")).toBe("int16");
    expect(h5.read("x").data).toEqual(Float32Array.from(Int16Array.from(ramp(60), (v) => v * 100)));
    h5.close();
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("writeH5 bad input", () => {
  it("writeH5 with data of 59 values for shape [5,4,3] -> SHAPE naming the key, nothing written", async () => {
    const file = join(dir, "bad-shape.h5");
    await expect(writeH5(file, { img: { data: new Float32Array(59), shape: [5, 4, 3] } })).rejects.toMatchObject({
      code: "SHAPE",
      file,
      message: `writeH5 ${file}: "img" has 59 values, shape [5, 4, 3] needs 60`,
    });
    expect(await readdir(dir)).not.toContain("bad-shape.h5");
  });

  it.each([[""], ["a/b"], ["."]])("writeH5 with key %j -> INVALID_ARGUMENT", async (key) => {
    await expect(writeH5(join(dir, "k.h5"), { [key]: { data: new Float32Array(1), shape: [1] } })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });

  it("writeH5 of a transposed (strided) volume -> INVALID_ARGUMENT", async () => {
    const view = createVolume(ramp(60), [5, 4, 3]).transpose(2, 1, 0);
    await expect(writeH5(join(dir, "t.h5"), { v: view })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining('volume "v" is a strided view (stride [1, 3, 12], offset 0)'),
    });
  });

  it.each([
    [{ level: 10 }, "level must be an integer 0-9, found 10"],
    [{ compression: "lzf" as "gzip" }, 'compression must be "gzip" or undefined, found "lzf"'],
    [{ chunks: [2, 2] }, 'chunks [2, 2] do not fit "v" of shape [5, 4, 3]: expected 3 positive integers'],
    [{ chunks: [2, 0, 1] }, 'chunks [2, 0, 1] do not fit "v" of shape [5, 4, 3]: expected 3 positive integers'],
  ])("writeH5(path, v, %j) -> INVALID_ARGUMENT", async (options, message) => {
    const file = join(dir, "o.h5");
    await expect(writeH5(file, { v: { data: ramp(60), shape: [5, 4, 3] } }, options)).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: `writeH5 ${file}: ${message}`,
    });
  });

  it("writeH5 into a missing folder -> WRITE_FAILED naming the file", async () => {
    const file = join(dir, "no-such-folder", "x.h5");
    await expect(writeH5(file, { v: { data: ramp(60), shape: [5, 4, 3] } })).rejects.toMatchObject({ code: "WRITE_FAILED", file });
  });
});

describe.skipIf(!PYTHON)("writeH5 read by h5py", () => {
  it("h5py sees each typed array's dtype, the shapes, gzip chunks and the values", async () => {
    const file = join(dir, "for-h5py.h5");
    await writeH5(
      file,
      {
        f4: { data: ramp(60), shape: [5, 4, 3] },
        f8: { data: Float64Array.from(ramp(60), (v) => v / 3), shape: [5, 4, 3] },
        i1: { data: Int8Array.from(ramp(60)), shape: [5, 4, 3] },
        u1: { data: Uint8ClampedArray.from(ramp(60), (v) => v + 7), shape: [5, 4, 3] },
        i2: { data: Int16Array.from(ramp(60)), shape: [5, 4, 3] },
        u2: { data: Uint16Array.from(ramp(60), (v) => v + 7), shape: [5, 4, 3] },
        i4: { data: Int32Array.from(ramp(60)), shape: [5, 4, 3] },
        u4: { data: Uint32Array.from(ramp(60), (v) => v + 7), shape: [5, 4, 3] },
        i8: { data: BigInt64Array.from(ramp(60), (v) => BigInt(Math.trunc(v)) - 2n ** 40n), shape: [60] },
        u8: { data: BigUint64Array.from(ramp(60), (v) => BigInt(Math.trunc(v + 7)) + 2n ** 63n), shape: [3, 20] },
      },
      { compression: "gzip", level: 6 },
    );
    const script = `
import sys, json, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    print(json.dumps({k: [str(f[k].dtype), list(f[k].shape), list(f[k].chunks), f[k].compression, f[k].compression_opts,
                          [str(v) for v in f[k][()].ravel()[[0, 1, -1]]]] for k in f}))
`;
    const seen = JSON.parse(runPython(script, [file]));
    expect(seen).toEqual({
      f4: ["float32", [5, 4, 3], [5, 4, 3], "gzip", 6, ["-7.0", "-6.5", "22.5"]],
      f8: ["float64", [5, 4, 3], [5, 4, 3], "gzip", 6, ["-2.3333333333333335", "-2.1666666666666665", "7.5"]],
      i1: ["int8", [5, 4, 3], [5, 4, 3], "gzip", 6, ["-7", "-6", "22"]],
      u1: ["uint8", [5, 4, 3], [5, 4, 3], "gzip", 6, ["0", "0", "30"]], // Uint8ClampedArray rounds 0.5 to even,
      i2: ["int16", [5, 4, 3], [5, 4, 3], "gzip", 6, ["-7", "-6", "22"]],
      u2: ["uint16", [5, 4, 3], [5, 4, 3], "gzip", 6, ["0", "0", "29"]],
      i4: ["int32", [5, 4, 3], [5, 4, 3], "gzip", 6, ["-7", "-6", "22"]],
      u4: ["uint32", [5, 4, 3], [5, 4, 3], "gzip", 6, ["0", "0", "29"]],
      i8: ["int64", [60], [60], "gzip", 6, ["-1099511627783", "-1099511627782", "-1099511627754"]],
      u8: ["uint64", [3, 20], [3, 20], "gzip", 6, ["9223372036854775808", "9223372036854775808", "9223372036854775837"]],
    });
  });

  it("a 128x128x64 float32 gzip dataset gets chunks of at most 1 MiB", async () => {
    const file = join(dir, "auto-chunks.h5");
    await writeH5(file, { x: { data: new Float32Array(128 * 128 * 64), shape: [128, 128, 64] } }, { compression: "gzip" });
    const chunks = runPython(`import sys, h5py; print(list(h5py.File(sys.argv[1], "r")["x"].chunks))`, [file]).trim();
    expect(chunks).toBe("[64, 64, 64]");
  });
});
