import { describe, expect, it } from "vitest";
import * as samplers from "./index.js";

describe("@deepreg-loader/samplers", () => {
  it("exports exactly the public names", () => {
    expect(Object.keys(samplers).sort()).toEqual([
      "INTRA_GROUP_OPTIONS",
      "expandLabels",
      "groupSizeRequirement",
      "groupedPlan",
      "groupedPlanLength",
      "pairedPlan",
      "randomFor",
      "shardPlan",
      "shuffle",
      "unpairedPlan",
    ]);
  });
});
