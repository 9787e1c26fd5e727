import { readConfig, validateConfig } from "@deepreg-loader/config";
const dir = "/work/shared/data/deepreg/config/test/";
for (const set of [["grouped_mr_heart_v011.yaml","labeled.yaml"], ["labeled.yaml"], ["ddf.yaml"], ["unpaired_nifti_no_valid.yaml", "conditional.yaml", "unlabeled.yaml"]]) {
  try { const c = await readConfig(set.map(f=>dir+f), { onWarning: (m) => console.log("WARN", m) }); console.log(JSON.stringify(c)); }
  catch (e) { console.log(e.code, e.message); }
}
console.log(JSON.stringify(validateConfig({dataset: {type: "pared", train: {dir: ["a","./a/", 3], format: "nii", labled: true}, moving_image_shap: [1,2,3], image_shape: [8, 8.5], intra_group_option: "foward", intra_group_prob: 1.5}}), null, 1));
