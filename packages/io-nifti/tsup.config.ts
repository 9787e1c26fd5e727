import { defineConfig } from "tsup";

export default defineConfig({
  // `bytes` is the browser-safe core (no node:* imports); `index` adds the Node path functions.
  entry: ["src/index.ts", "src/bytes.ts", "src/browser.ts"],
  format: ["esm"],
  target: "node20",
  dts: false, // declarations and their maps come from `tsc -p tsconfig.build.json`
  clean: true,
  sourcemap: true,
});
