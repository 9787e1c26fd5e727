import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: false, // declarations and their maps come from `tsc -p tsconfig.build.json`
  clean: true,
  sourcemap: true,
});
