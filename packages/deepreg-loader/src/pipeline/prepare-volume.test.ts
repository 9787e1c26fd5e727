import { describe, expect, it } from "vitest";
import { createVolume } from "@deepreg-loader/core";
import { normalize, resize, takeChannel } from "@deepreg-loader/volume-ops";
import { prepareVolume } from "./prepare-volume.js";
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
