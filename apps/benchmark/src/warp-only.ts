// The warp measurement alone, for augment-ab.ts's children (which pass another build's functions).
export { warpThroughput } from "./warp.js";
