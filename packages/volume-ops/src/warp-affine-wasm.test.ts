import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { assemble, source } from "../scripts/build-wasm.mjs";
import { WARP_AFFINE_WASM } from "./warp-affine-wasm-bytes.js";

describe("warp-affine-wasm-bytes.ts", () => {
  it("holds exactly the bytes of warp-affine.wat (run `pnpm wasm` in volume-ops after editing the .wat)", async () => {
    const bytes = await assemble(await readFile(new URL("./warp-affine.wat", import.meta.url), "utf8"));
    expect(Buffer.from(WARP_AFFINE_WASM, "base64").equals(bytes)).toBe(true);
    expect(await readFile(new URL("./warp-affine-wasm-bytes.ts", import.meta.url), "utf8")).toBe(source(bytes));
  });
});
