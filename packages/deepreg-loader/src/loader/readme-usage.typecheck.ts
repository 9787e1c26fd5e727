// The package README's usage snippet, type-checked under `strict` by `pnpm typecheck` (never
// run, never bundled): `b.fixedLabel.shape` compiles without `!` because `loader.labeled`
// narrows the loader. cli/readme-snippets.test.ts checks the README holds exactly this code.
import { readConfig, createDataLoader } from "../index.js";

const config = await readConfig(["config/test/paired_nifti.yaml"]); // paths relative to the cwd, like DeepReg
// The whole config: the train split is augmented as train.preprocess.data_augmentation asks (as DeepReg).
const loader = await createDataLoader(config, "train", { seed: 42, workers: 2, cacheBytes: 2 ** 30 });
console.log(loader.numSamples, loader.movingImageShape, loader.fixedImageShape);
if (!loader.labeled) throw new Error("expected a labeled split"); // narrows: every batch has its labels

for await (const b of loader.batches({ batchSize: 4, epochs: 2, shuffleBufferNumBatch: 2 })) {
  // const moving = tf.tensor(b.movingImage.data, b.movingImage.shape); ... model.trainOnBatch(...)
  console.log(b.movingImage.shape, b.fixedLabel.shape, JSON.stringify(b.indices));
}
const { decodes, cacheHits } = loader.stats();
console.log({ decodes, cacheHits });
await loader.close();
