// Copies the repository's docs/conventions.md and docs/decisions.md into the package being
// built (dist/docs/), so the links of its README resolve inside its tarball.
// Run from a package directory as the last step of its `build` script.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync("dist/docs", { recursive: true });
for (const name of ["conventions.md", "decisions.md"]) {
  copyFileSync(join(root, "docs", name), join("dist/docs", name));
}
