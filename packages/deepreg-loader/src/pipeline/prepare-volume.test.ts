import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { columnMajorToRowMajor, normalize, resize, takeChannel } from "@deepreg-loader/volume-ops";
import { prepareRawVolume, prepareVolume } from "./prepare-volume.js";
import type { VolumeTask } from "./prepare-volume.js";

const image = (shape: [number, number, number]): VolumeTask => ({ kind: "image", format: "nifti", path: "/d/img.nii.gz", shape });
const label = (shape: [number, number, number], channel?: number): VolumeTask => ({
  kind: "label",
  format: "nifti",
  path: "/d/lab.nii.gz",
  shape,
  ...(channel === undefined ? {} : { channel }),
});

/** [5, 4, 3] asymmetric ramp with negative values. */
function ramp(): Float32Array {
  return Float32Array.from({ length: 60 }, (_, i) => ((i * 17) % 29) - 7.5);
}

/** [5, 4, 3, 2] label in [0, 1], channel 1 = 1 - channel 0. */
function label4d(): Float32Array {
  return Float32Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? ((i >> 1) % 5) / 4 : 1 - ((i >> 1) % 5) / 4));
}

describe("prepareVolume", () => {
  it("prepareVolume(image [5,4,3], shape [5,4,3]) = normalize(image), in the raw buffer (no copy)", () => {
    const expected = Array.from(normalize(createVolume(ramp(), [5, 4, 3])).data);
    const raw = createVolume(ramp(), [5, 4, 3]);
    const prepared = prepareVolume(raw, image([5, 4, 3]));
    expect(prepared.shape).toEqual([5, 4, 3]);
    expect(prepared.rawShape).toEqual([5, 4, 3]);
    expect(Array.from(prepared.data)).toEqual(expected);
    expect(prepared.data.buffer).toBe(raw.data.buffer);
  });

  it("prepareVolume(image [5,4,3], shape [3,6,2]) = resize(normalize(image), [3,6,2]), owning its buffer", () => {
    const expected = resize(normalize(createVolume(ramp(), [5, 4, 3])), [3, 6, 2]);
    const prepared = prepareVolume(createVolume(ramp(), [5, 4, 3]), image([3, 6, 2]));
    expect(prepared.shape).toEqual([3, 6, 2]);
    expect(prepared.rawShape).toEqual([5, 4, 3]);
    expect(Array.from(prepared.data)).toEqual(Array.from(expected.data));
    expect(prepared.data.byteLength).toBe(prepared.data.buffer.byteLength);
  });

  it("prepareVolume(image with min -3e38 max 3e38) throws VALUE_RANGE naming the file", () => {
    const raw = createVolume(Float32Array.of(-3e38, 0, 3e38, 1, 2, 3), [1, 2, 3]);
    expect(() => prepareVolume(raw, image([1, 2, 3]))).toThrow(
      expect.objectContaining({ code: "VALUE_RANGE", file: "/d/img.nii.gz", message: expect.stringContaining("must be finite with a finite range max - min") }),
    );
  });

  it("prepareVolume(image with NaN) throws VALUE_RANGE naming the file", () => {
    const raw = createVolume(Float32Array.of(0, Number.NaN, 1, 2, 3, 4), [1, 2, 3]);
    expect(() => prepareVolume(raw, image([1, 2, 3]))).toThrow(expect.objectContaining({ code: "VALUE_RANGE", file: "/d/img.nii.gz" }));
  });

  it("prepareVolume(label [5,4,3,2], shape [5,4,3]) keeps both channels, in the raw buffer", () => {
    const raw = createVolume(label4d(), [5, 4, 3, 2]);
    const prepared = prepareVolume(raw, label([5, 4, 3]));
    expect(prepared.shape).toEqual([5, 4, 3, 2]);
    expect(prepared.rawShape).toEqual([5, 4, 3, 2]);
    expect(Array.from(prepared.data)).toEqual(Array.from(label4d()));
    expect(prepared.data.buffer).toBe(raw.data.buffer);
  });

  it("prepareVolume(label [5,4,3,2], { channel: 1 }) = takeChannel(label, 1) as [5,4,3]", () => {
    const expected = takeChannel(createVolume(label4d(), [5, 4, 3, 2]), 1);
    const prepared = prepareVolume(createVolume(label4d(), [5, 4, 3, 2]), label([5, 4, 3], 1));
    expect(prepared.shape).toEqual([5, 4, 3]);
    expect(prepared.rawShape).toEqual([5, 4, 3]);
    expect(Array.from(prepared.data)).toEqual(Array.from(expected.data));
  });

  it("prepareVolume(label channel already read as [5,4,3], { channel: 1, shape [2,4,6] }) resizes it", () => {
    const channel = takeChannel(createVolume(label4d(), [5, 4, 3, 2]), 1);
    const expected = resize(channel, [2, 4, 6]);
    const prepared = prepareVolume(createVolume(channel.data.slice(), [5, 4, 3]), label([2, 4, 6], 1));
    expect(prepared.shape).toEqual([2, 4, 6]);
    expect(Array.from(prepared.data)).toEqual(Array.from(expected.data));
  });

  it("prepareVolume(label [5,4,3,2] with 1.5 in channel 0, { channel: 1 }) checks only channel 1", () => {
    const data = label4d();
    data[0] = 1.5;
    expect(prepareVolume(createVolume(data.slice(), [5, 4, 3, 2]), label([5, 4, 3], 1)).shape).toEqual([5, 4, 3]);
    expect(() => prepareVolume(createVolume(data, [5, 4, 3, 2]), label([5, 4, 3], 0))).toThrow(
      expect.objectContaining({ code: "LABEL_RANGE", file: "/d/lab.nii.gz", message: expect.stringContaining("found values from 0 to 1.5") }),
    );
  });
});

describe("prepareRawVolume(stored voxels, task) equals prepareVolume(decoded volume, task)", () => {
  // Column-major int16 / uint8 values as a NIfTI file stores them, and the row-major volume of them.
  const stored = (shape: number[], make: (n: number) => number, type: "int16" | "uint8") => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = type === "int16" ? Int16Array.from({ length: n }, (_, i) => make(i)) : Uint8Array.from({ length: n }, (_, i) => make(i));
    return { values, shape, scale: undefined, volume: createVolume(columnMajorToRowMajor(values, shape), shape) };
  };

  it("image int16 [5, 4, 3], at its shape and resized to [3, 6, 2]", () => {
    const raw = stored([5, 4, 3], (i) => ((i * 37) % 101) - 40, "int16");
    for (const shape of [[5, 4, 3], [3, 6, 2]] as [number, number, number][]) {
      const expected = prepareVolume(createVolume(raw.volume.data.slice(), raw.shape), image(shape));
      expect(prepareRawVolume(raw, image(shape))).toEqual(expected);
    }
  });

  it("label uint8 [5, 4, 3] and [5, 4, 3, 1] (squeezed), and one out of [0, 1] fails with LABEL_RANGE naming the file", () => {
    for (const shape of [[5, 4, 3], [5, 4, 3, 1]]) {
      const raw = stored(shape, (i) => i % 2, "uint8");
      expect(prepareRawVolume(raw, label([5, 4, 3]))).toEqual(prepareVolume(createVolume(raw.volume.data.slice(), shape), label([5, 4, 3])));
    }
    const bad = stored([5, 4, 3], (i) => i % 3, "uint8");
    expect(() => prepareRawVolume(bad, label([5, 4, 3]))).toThrow(expect.objectContaining({ code: "LABEL_RANGE", message: expect.stringContaining("/d/lab.nii.gz") }));
  });

  it("scaled voxels take the general path: v * slope + inter, then normalised", () => {
    const raw = { ...stored([5, 4, 3], (i) => i, "int16"), scale: { slope: 0.5, inter: 3 } };
    const scaled = createVolume(columnMajorToRowMajor(raw.values, raw.shape, raw.scale), raw.shape);
    expect(prepareRawVolume(raw, image([5, 4, 3]))).toEqual(prepareVolume(scaled, image([5, 4, 3])));
  });

  it("label [5, 4, 3, 2] with planes (float64 stored, raw and row-major paths), at its shape and resized to [3, 6, 2]: plane c = channel c of the channel-last result", () => {
    const n = 60;
    const values = Float64Array.from({ length: 2 * n }, (_, i) => ((i * 13) % 17) / 16);
    const rowMajor = columnMajorToRowMajor(values, [5, 4, 3, 2]);
    for (const shape of [[5, 4, 3], [3, 6, 2]] as [number, number, number][]) {
      const whole = prepareVolume(createVolume(rowMajor.slice(), [5, 4, 3, 2]), label(shape));
      const channels = [0, 1].map((c) => Array.from(takeChannel(createVolume(whole.data, whole.shape), c).data));
      const task = { ...label(shape), planes: true };
      for (const prepared of [prepareRawVolume({ values, shape: [5, 4, 3, 2], scale: undefined }, task), prepareVolume(createVolume(rowMajor.slice(), [5, 4, 3, 2]), task)]) {
        expect(prepared.shape).toEqual([...shape, 2]);
        expect(prepared.rawShape).toEqual([5, 4, 3, 2]);
        expect(prepared.data.length).toBe(0);
        expect(prepared.planes?.map((p) => Array.from(p))).toEqual(channels);
        for (const p of prepared.planes!) expect(p.byteLength).toBe(p.buffer.byteLength);
      }
    }
  });

  it("label with planes: one channel out of [0, 1] fails with LABEL_RANGE; a one-channel label stays 3D without planes", () => {
    const task = { ...label([5, 4, 3]), planes: true };
    for (const value of [1.5, -0.25, Number.NaN]) {
      const bad = Float64Array.from({ length: 120 }, (_, i) => (i === 100 ? value : 0));
      expect(() => prepareRawVolume({ values: bad, shape: [5, 4, 3, 2], scale: undefined }, task)).toThrow(
        expect.objectContaining({ code: "LABEL_RANGE", message: expect.stringContaining("/d/lab.nii.gz") }),
      );
    }
    const one = prepareRawVolume({ values: new Float64Array(60).fill(1), shape: [5, 4, 3, 1], scale: undefined }, task);
    expect(one.shape).toEqual([5, 4, 3]);
    expect(one.planes).toBeUndefined();
  });
});
