// Copies the repository's docs/conventions.md and docs/decisions.md into the package being
// built (dist/docs/), so the links of its README resolve inside its tarball. A doc the README
// does not link is not copied (decisions.md alone is ~100 KB; packages install small).
// Run from a package directory as the last step of its `build` script.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = existsSync("README.md") ? readFileSync("README.md", "utf8") : "";
mkdirSync("dist/docs", { recursive: true });
for (const name of ["conventions.md", "decisions.md"]) {
  const target = join("dist/docs", name);
  if (readme.includes(`dist/docs/${name}`)) copyFileSync(join(root, "docs", name), target);
  else rmSync(target, { force: true });
}
