// Browser entry (`browser` export condition): the same API, with volumes created without
// ndarray's generated constructors, so pages under a strict CSP (no 'unsafe-eval') work.
export * from "./index.js";
export { createVolume, zerosVolume, fromVolumeData } from "./volume-csp.js";
