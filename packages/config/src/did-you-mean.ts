// One copy for every package: the spelling suggestions live in @deepreg-loader/core.
export { didYouMean, editDistance } from "@deepreg-loader/core";
