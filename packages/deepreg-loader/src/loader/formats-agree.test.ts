// The same DeepReg case read from NIfTI (readNifti) and from HDF5 (openH5) gives the same
// volume, voxel for voxel, with no Python involved. Needs ../shared/data/deepreg.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { openH5 } from "@deepreg-loader/io-h5";
import { readNifti } from "@deepreg-loader/io-nifti";
import { DEEPREG_DATA, deepregPath } from "../../../../test-utils/deepreg-data.js";

/** `h5/grouped/test/images.h5` of DeepReg stores its two cases in reverse file order. */
const GROUPED_TEST_IMAGES: Readonly<Record<string, string>> = {
  "case000025.nii.gz": "group-1-2",
  "case000026.nii.gz": "group-1-1",
};

function niftiFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.nii(\.gz)?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** `nifti/<type>/<split>/<folder>/[group<g>/]<file>` -> [`h5/<type>/<split>/<folder>.h5`, key]. */
function h5Twin(rel: string, groupFolder: readonly string[]): [string, string] {
  const parts = rel.split("/");
  const [, type, split, folder] = parts as [string, string, string, string];
  const name = parts[parts.length - 1] as string;
  const file = `h5/${type}/${split}/${folder}.h5`;
  if (type !== "grouped") return [file, name.replace(/\.nii$/, ".nii.gz")];
  const special = split === "test" && folder === "images" ? GROUPED_TEST_IMAGES[name] : undefined;
  const group = (parts[4] as string).replace(/^group/, "");
  return [file, special ?? `group-${group}-${groupFolder.indexOf(name) + 1}`];
}

describe.skipIf(!DEEPREG_DATA)("NIfTI and H5 copies of DeepReg's test data", () => {
  test("readNifti(case) equals openH5(copy).read(key) for every case with an H5 copy", async () => {
    const root = deepregPath("data", "test");
    const files = ["paired", "unpaired", "grouped"].flatMap((t) => niftiFiles(join(root, "nifti", t)));
    const opened = new Map<string, Awaited<ReturnType<typeof openH5>>>();
    const compared = new Set<string>();
    try {
      for (const file of files) {
        const rel = relative(root, file);
        const folder = files
          .filter((f) => f.startsWith(file.slice(0, file.lastIndexOf("/") + 1)))
          .map((f) => f.slice(f.lastIndexOf("/") + 1));
        const [h5File, key] = h5Twin(rel, folder);
        let h5 = opened.get(h5File);
        if (!h5) {
          h5 = await openH5(join(root, h5File));
          opened.set(h5File, h5);
        }
        if (!h5.keys().includes(key)) continue; // a NIfTI-only case (e.g. unpaired/test's .nii file)
        const fromNifti = await readNifti(file);
        const fromH5 = h5.read(key);
        expect({ rel, shape: fromNifti.shape }).toEqual({ rel, shape: fromH5.shape });
        expect(Buffer.compare(Buffer.from(fromNifti.data.buffer), Buffer.from(fromH5.data.buffer)), rel).toBe(0);
        compared.add(`${h5File}:${key}`);
      }
      const allKeys = [...opened].flatMap(([name, h5]) => h5.keys().map((k) => `${name}:${k}`));
      expect([...compared].sort()).toEqual(allKeys.sort());
      expect(compared.size).toBe(allKeys.length);
    } finally {
      for (const h5 of opened.values()) h5.close();
    }
  });
});
