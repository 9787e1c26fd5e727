// `pnpm deepreg-loader ...` from the repository root: run the CLI in the directory pnpm was
// called from (INIT_CWD), so config paths and DeepReg's relative data dirs resolve as the user
// expects.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
process.chdir(process.env.INIT_CWD ?? process.cwd());
await import(pathToFileURL(join(root, "packages/deepreg-loader/dist/cli.js")).href);
