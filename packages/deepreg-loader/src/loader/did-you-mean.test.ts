import { describe, expect, it } from "vitest";
import { didYouMean } from "./did-you-mean.js";

describe("didYouMean", () => {
  it.each([
    ["training", ["train", "valid", "test"], "train"],
    ["validation", ["train", "valid", "test"], "valid"],
    ["val", ["train", "valid", "test"], "valid"],
    ["Test", ["train", "valid", "test"], "test"],
    ["seeed", ["seed", "workers", "shuffle"], "seed"],
    ["worker", ["seed", "workers", "shuffle"], "workers"],
    ["batch_size", ["batchSize", "epochs"], "batchSize"],
    ["shuffle_buffer_num_batch", ["batchSize", "shuffleBufferNumBatch"], "shuffleBufferNumBatch"],
    ["num_parallel_calls", ["seed", "workers"], "workers"],
    ["colour", ["seed", "workers"], undefined],
    ["chek", ["info", "check", "export", "preview"], "check"],
    ["inof", ["info", "check", "export", "preview"], "info"],
    ["exp", ["info", "check", "export", "preview"], "export"],
    ["prevew", ["info", "check", "export", "preview"], "preview"],
    ["--sed", ["--seed", "--split", "--out"], "--seed"],
    ["TRAIN", ["train", "valid", "test"], "train"],
    ["zzz", ["train", "valid", "test"], undefined],
  ] as const)("didYouMean(%j, %j) -> %j", (input, candidates, expected) => {
    expect(didYouMean(input, candidates, { num_parallel_calls: "workers" })).toBe(expected);
  });
});
