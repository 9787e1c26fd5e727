import { describe, expect, it } from "vitest";
import { checkFilters } from "./filters.js";

describe("checkFilters", () => {
  it("checkFilters([shuffle, deflate, fletcher32]) passes", () => {
    expect(() =>
      checkFilters(
        [
          { id: 2, name: "shuffle", cd_values: [] },
          { id: 1, name: "deflate", cd_values: [4] },
          { id: 3, name: "fletcher32", cd_values: [] },
        ],
        "f.h5",
        "k",
      ),
    ).not.toThrow();
  });
  it("checkFilters([shuffle, blosc 32001, szip 4]) -> UNSUPPORTED_FILTER naming both", () => {
    expect(() =>
      checkFilters(
        [
          { id: 2, name: "shuffle", cd_values: [] },
          { id: 32001, name: "blosc", cd_values: [] },
          { id: 4, name: "", cd_values: [] },
        ],
        "f.h5",
        "k",
      ),
    ).toThrow(
      expect.objectContaining({
        code: "UNSUPPORTED_FILTER",
        file: "f.h5",
        details: { key: "k", filters: [32001, 4] },
        message: expect.stringMatching(/^f\.h5: dataset "k" is compressed with blosc \(id 32001\), unnamed \(id 4\), which h5wasm cannot decode/),
      }),
    );
  });
});
