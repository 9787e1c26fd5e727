// Integration: every NIfTI file of DeepReg's test data reads voxel-for-voxel equal to nibabel's
// `np.asarray(nib.load(p).dataobj, dtype=np.float32)` and to its H5 copy read with h5py.
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import type { Volume } from "@deepreg-loader/core";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { PYTHON, runPython } from "../../../test-utils/python.js";
import { readNifti, readNiftiHeader } from "./read-nifti.js";

const SCRIPT = String.raw`
import glob, hashlib, json, os, sys
import h5py, nibabel as nib, numpy as np
root = sys.argv[1]
def digest(a):
    a = np.ascontiguousarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "sha256": hashlib.sha256(a.tobytes()).hexdigest()}
out = {"nifti": {}, "h5": {}}
for p in sorted(glob.glob(os.path.join(root, "nifti", "*", "**", "*.nii*"), recursive=True)):
    img = nib.load(p)
    d = digest(np.asarray(img.dataobj, dtype=np.float32))
    d["affine"] = img.affine.tolist()
    out["nifti"][os.path.relpath(p, root)] = d
for p in sorted(glob.glob(os.path.join(root, "h5", "**", "*.h5"), recursive=True)):
    with h5py.File(p, "r") as f:
        for k in f.keys():
            out["h5"][os.path.relpath(p, root) + ":" + k] = digest(np.asarray(f[k], dtype=np.float32))
print(json.dumps(out))
`;

interface Digest {
  shape: number[];
  sha256: string;
  affine?: number[][];
}

function sha256(volume: Volume): string {
  const { data } = volume;
  return createHash("sha256").update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest("hex");
}

function niftiFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.nii(\.gz)?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The original DeepReg `h5/grouped/test/images.h5` stores case000026 as `group-1-1` and
 * case000025 as `group-1-2` (checked with h5py + nibabel), while `labels.h5` of the same
 * split (rebuilt from NIfTI) follows the sorted order: 000025 first.
 */
const H5_ORDER_EXCEPTIONS: Readonly<Record<string, string>> = {
  "nifti/grouped/test/images/group1/case000025.nii.gz": "h5/grouped/test/images.h5:group-1-2",
  "nifti/grouped/test/images/group1/case000026.nii.gz": "h5/grouped/test/images.h5:group-1-1",
};

/**
 * The H5 entry holding the same case as a NIfTI file (relative to data/test):
 * `nifti/<type>/<split>/<folder>/<id>.nii[.gz]` <-> `h5/<type>/<split>/<folder>.h5` key
 * `<id>.nii.gz`; grouped `images/group<g>/<file>` <-> key `group-<g>-<i>`, `i` the 1-based
 * position of the file in its sorted group folder.
 */
function h5Entry(rel: string, groupFiles: Map<string, string[]>): string {
  const exception = H5_ORDER_EXCEPTIONS[rel];
  if (exception !== undefined) return exception;
  const parts = rel.split("/");
  const [, type, split, folder] = parts as [string, string, string, string];
  const name = parts[parts.length - 1] as string;
  const h5 = `h5/${type}/${split}/${folder}.h5`;
  if (type === "grouped") {
    const group = parts[4] as string;
    const dir = parts.slice(0, 5).join("/");
    const position = (groupFiles.get(dir) ?? []).indexOf(name) + 1;
    return `${h5}:group-${group.replace(/^group/, "")}-${position}`;
  }
  return `${h5}:${name.replace(/\.nii(\.gz)?$/, "")}.nii.gz`;
}

describe.skipIf(!DEEPREG_DATA || !PYTHON)("DeepReg test data (needs data and python with nibabel/h5py)", () => {
  test("readNifti(every paired/unpaired/grouped NIfTI) equals nibabel and its H5 copy", async () => {
    const root = deepregPath("data", "test");
    const reference = JSON.parse(runPython(SCRIPT, [root])) as {
      nifti: Record<string, Digest>;
      h5: Record<string, Digest>;
    };
    const files = ["paired", "unpaired", "grouped"].flatMap((t) => niftiFiles(join(root, "nifti", t)));
    expect(files.length).toBe(158);
    const groupFiles = new Map<string, string[]>();
    for (const file of files) {
      const rel = relative(root, file);
      const dir = rel.split("/").slice(0, -1).join("/");
      groupFiles.set(dir, [...(groupFiles.get(dir) ?? []), rel.split("/").pop() as string]);
    }

    const matchedH5 = new Set<string>();
    for (const file of files) {
      const rel = relative(root, file);
      const volume = await readNifti(file);
      const ours = { shape: [...volume.shape], sha256: sha256(volume) };
      const nibabel = reference.nifti[rel];
      expect({ rel, ...ours }).toEqual({ rel, shape: nibabel?.shape, sha256: nibabel?.sha256 });
      expect((await readNiftiHeader(file)).affine).toEqual(nibabel?.affine);
      const entry = h5Entry(rel, groupFiles);
      const h5 = reference.h5[entry];
      if (h5 !== undefined) {
        expect({ entry, ...ours }).toEqual({ entry, shape: h5.shape, sha256: h5.sha256 });
        matchedH5.add(entry);
      }
    }
    // Every H5 dataset of the test data has its NIfTI twin.
    expect([...matchedH5].sort()).toEqual(Object.keys(reference.h5).sort());
    // Python hashes every file: seconds on the shared machine under load, so more than 5 s.
  }, 120_000);
});
