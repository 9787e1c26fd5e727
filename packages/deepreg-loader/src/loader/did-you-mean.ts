// loader/did-you-mean.ts: "did you mean" for option keys and CLI words, over config's
// `didYouMean` (aliases, snake_case to camelCase, prefixes first). May import config.
import { didYouMean as closestSpelling } from "@deepreg-loader/config";

/**
 * The candidate `input` probably meant (case-insensitive), for CLI commands, options and
 * library option keys: an alias, the camelCase of a snake_case name (`batch_size` ->
 * `batchSize`), the one candidate it is a prefix of or that is a prefix of it (`worker` ->
 * `workers`, `training` -> `train`), else the closest spelling within a few edits (the config
 * package's rule). Undefined when nothing is close.
 */
export function didYouMean(
  input: string,
  candidates: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const lower = input.toLowerCase();
  const alias = Object.hasOwn(aliases, lower) ? aliases[lower] : undefined;
  if (alias !== undefined && candidates.includes(alias)) return alias;
  const camel = candidates.find((c) => c.toLowerCase() === lower.replace(/[_-]/g, ""));
  if (camel !== undefined) return camel;
  if (lower.length >= 2) {
    const prefixed = candidates.filter((c) => {
      const l = c.toLowerCase();
      return l.startsWith(lower) || lower.startsWith(l);
    });
    if (prefixed.length === 1) return prefixed[0];
  }
  return closestSpelling(input, candidates);
}
