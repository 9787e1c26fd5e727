import { describe, expect, it } from "vitest";
import { hdf5ErrorSummary, isSignatureError, isTruncationError } from "./hdf5-error.js";

const STACK = `HDF5-DIAG: Error detected in HDF5 (2.0.0):
  #000: /src/H5F.c line 821 in H5Fopen(): unable to synchronously open file
    major: File accessibility
    minor: Unable to open file
  #006: /src/H5Fsuper.c line 577 in H5F__super_read(): truncated file: eof = 100, sblock->base_addr = 0, stored_eof = 2951344
    major: File accessibility
    minor: File has been truncated
`;

describe("hdf5ErrorSummary", () => {
  it("hdf5ErrorSummary(h5wasm stack) -> the innermost entry's message", () => {
    expect(hdf5ErrorSummary(new Error(STACK))).toBe("truncated file: eof = 100, sblock->base_addr = 0, stored_eof = 2951344");
  });
  it('hdf5ErrorSummary("plain text\\nmore") -> the first line', () => {
    expect(hdf5ErrorSummary("plain text\nmore")).toBe("plain text");
  });
  it("isTruncationError / isSignatureError", () => {
    expect(isTruncationError(new Error(STACK))).toBe(true);
    expect(isSignatureError(new Error(STACK))).toBe(false);
    expect(isSignatureError(new Error("#006: x in H5F__super_read(): file signature not found"))).toBe(true);
  });
});
