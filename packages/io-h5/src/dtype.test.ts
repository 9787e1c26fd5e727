import { describe, expect, it } from "vitest";
import type { Metadata } from "h5wasm";
import { dtypeOf } from "./dtype.js";

function meta(type: number, size: number, signed = false): Metadata {
  return { type, size, signed, littleEndian: false, vlen: false, chunks: null, maxshape: [1], shape: [1], total_size: 1 };
}

describe("dtypeOf", () => {
  it.each([
    [0, 1, false, "uint8"],
    [0, 1, true, "int8"],
    [0, 2, true, "int16"],
    [0, 4, false, "uint32"],
    [0, 8, true, "int64"],
    [0, 8, false, "uint64"],
    [1, 4, true, "float32"],
    [1, 8, false, "float64"],
  ])("dtypeOf(class %i, %i bytes, signed %s) -> %s", (type, size, signed, name) => {
    expect(dtypeOf(meta(type, size, signed), "f.h5", "k")).toBe(name);
  });
  it.each([
    [1, 2, "float of 16 bits"],
    [3, 6, "string"],
    [6, 8, "compound"],
    [9, 8, "variable-length"],
  ])("dtypeOf(class %i, %i bytes) -> UNSUPPORTED_DTYPE (%s)", (type, size, found) => {
    expect(() => dtypeOf(meta(type, size), "f.h5", "k")).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_DTYPE", message: expect.stringContaining(`f.h5: dataset "k" has type ${found};`) }),
    );
  });
});
