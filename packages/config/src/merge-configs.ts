import { isMapping } from "./problems.js";

/**
 * Combines configs the way DeepReg does for several files: later objects override earlier
 * ones key by key; two mappings under the same key are merged recursively; anything else
 * (a list, a scalar, `null`, or a mapping over a non-mapping) replaces what was there.
 * Pure: the inputs are not modified and the result shares no mapping or list with them.
 * `mergeConfigs([])` is `{}`.
 */
export function mergeConfigs(objects: readonly unknown[]): unknown {
  let merged: unknown = {};
  objects.forEach((object, index) => {
    merged = index === 0 ? clonePlain(object) : mergeTwo(merged, object);
  });
  return merged;
}

function mergeTwo(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return clonePlain(override);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) setOwn(result, key, value);
  for (const [key, value] of Object.entries(override)) {
    setOwn(result, key, Object.hasOwn(base, key) ? mergeTwo(base[key], value) : clonePlain(value));
  }
  return result;
}

/** A deep copy of plain data (mappings and lists); other values (dates, numbers, ...) as they are. */
export function clonePlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clonePlain);
  if (isMapping(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, clonePlain(item));
    return copy;
  }
  return value;
}

/** Assigns an own property, also for the key `__proto__` (YAML may hold any key). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
