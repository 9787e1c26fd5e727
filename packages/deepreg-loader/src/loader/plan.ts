// loader/plan.ts: the index vectors of an epoch: pairs from the samplers (DeepReg's paired,
// unpaired, grouped sampling), label expansion, then this rank's shard. Pure; may import core,
// samplers, pipeline/epoch-plan and loader/options.
import type { DatasetType, LabelSampling } from "@deepreg-loader/core";
import { expandLabels, groupedPlan, groupedPlanLength, pairedPlan, shardPlan, unpairedPlan } from "@deepreg-loader/samplers";
import type { GroupedSampling } from "@deepreg-loader/samplers";
import { pairOf } from "../pipeline/epoch-plan.js";
import type { ShardMode } from "./options.js";

/** What a loader's plans are drawn from. */
export interface PlanInputs {
  type: DatasetType;
  numImages: number;
  /** Grouped: observation indices of each group; else null. */
  groups: number[][] | null;
  sampling: GroupedSampling;
  /** Label channels of each (moving) observation; null when unlabeled. */
  labelChannels: number[] | null;
  seed: number;
  /** A new plan every epoch (else epoch 0's plan every epoch). */
  redraw: boolean;
  labelSampling: LabelSampling;
  shard: { index: number; count: number };
}

/** Image pairs in one epoch, as DeepReg counts them (paired: images; unpaired: floor(images / 2); grouped: see `groupedPlanLength`). */
export function numSamplesOf(p: Pick<PlanInputs, "type" | "numImages" | "groups" | "sampling">): number {
  if (p.type === "paired") return p.numImages;
  if (p.type === "unpaired") return Math.floor(p.numImages / 2);
  return groupedPlanLength((p.groups ?? []).map((g) => g.length), p.sampling);
}

/** This rank's index vectors of `epoch`, sharded by `mode` (see `shardMode`). */
export function epochPlan(p: PlanInputs, epoch: number, mode: ShardMode): number[][] {
  const options = { seed: p.seed, epoch: p.redraw ? epoch : 0 };
  const pairs =
    p.type === "paired"
      ? pairedPlan(p.numImages, options)
      : p.type === "unpaired"
        ? unpairedPlan(p.numImages, options)
        : groupedPlan((p.groups ?? []).map((g) => g.length), { ...options, ...p.sampling });
  const channels = p.labelChannels;
  // The dataset rules made moving and fixed label counts equal: the moving one counts.
  const counts = channels === null ? null : pairs.map((pair) => channels[pairOf(p.type, [...pair, -1], p.groups).moving] as number);
  const expanded = expandLabels(pairs, counts, p.labelSampling, options);
  if (p.shard.count === 1) return expanded;
  return shardPlan(expanded, { ...p.shard, evenDivisible: mode === "drop", pad: mode === "pad" });
}
