import { describe, expect, test } from "vitest";
import { DeepRegLoaderError, isDeepRegLoaderError } from "./errors.js";

describe("DeepRegLoaderError", () => {
  test("new DeepRegLoaderError(code, message, { file, cause, details }) keeps each part", () => {
    const cause = new Error("ENOENT");
    const error = new DeepRegLoaderError("NOT_FOUND", "a.nii.gz: no such file", {
      file: "a.nii.gz",
      cause,
      details: { key: "x" },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("DeepRegLoaderError");
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toBe("a.nii.gz: no such file");
    expect(error.file).toBe("a.nii.gz");
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ key: "x" });
  });

  test("without options: no file, no cause", () => {
    const error = new DeepRegLoaderError("SHAPE", "bad shape");
    expect(error.file).toBeUndefined();
    expect("cause" in error).toBe(false);
  });

  test("isDeepRegLoaderError(error, code?)", () => {
    const error = new DeepRegLoaderError("LABEL_RANGE", "x");
    expect(isDeepRegLoaderError(error)).toBe(true);
    expect(isDeepRegLoaderError(error, "LABEL_RANGE")).toBe(true);
    expect(isDeepRegLoaderError(error, "SHAPE")).toBe(false);
    expect(isDeepRegLoaderError(new Error("x"))).toBe(false);
  });
});
