// Locates the real DeepReg test data (../shared/data/deepreg from the repository root, or
// $DEEPREG_DATA). Integration tests call `describe.skipIf(!DEEPREG_DATA)` and print why.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function locate(): string | undefined {
  const candidates = [process.env.DEEPREG_DATA, join(REPO_ROOT, "..", "shared", "data", "deepreg")];
  for (const c of candidates) {
    if (c && existsSync(join(c, "data", "test"))) return resolve(c);
  }
  return undefined;
}

/** Root of the DeepReg test data (holds `data/test` and `config/test`), or undefined. */
export const DEEPREG_DATA: string | undefined = locate();

if (!DEEPREG_DATA) {
  console.warn(
    "[deepreg-loader tests] DeepReg test data not found (../shared/data/deepreg or $DEEPREG_DATA): integration tests are skipped.",
  );
}

/** Path inside the DeepReg data root; only call when DEEPREG_DATA is set. */
export function deepregPath(...parts: string[]): string {
  if (!DEEPREG_DATA) throw new Error("DeepReg test data not available");
  return join(DEEPREG_DATA, ...parts);
}
