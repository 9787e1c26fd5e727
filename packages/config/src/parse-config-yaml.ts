import { DeepRegLoaderError } from "@deepreg-loader/core";
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Scalar, ScalarTag, Tags } from "yaml";

// PyYAML (YAML 1.1 as DeepReg reads it) resolves yes/no/on/off/true/false in three casings to
// booleans, but not y/n, which the `yaml` package's 1.1 schema also takes as booleans.
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

function pyyamlBooleans(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== "object" || tag.tag !== "tag:yaml.org,2002:bool" || !("test" in tag)) return tag;
    const scalar = tag as ScalarTag;
    const isTrue = scalar.identify?.(true) === true;
    return { ...scalar, test: isTrue ? PY_TRUE : PY_FALSE };
  });
}

/** Most alias nodes (`*name`) in one YAML text. */
export const MAX_ALIASES = 10_000;
/** Most values (scalars, lists, mappings) a YAML text may stand for once aliases are expanded. */
export const MAX_EXPANDED_NODES = 1_000_000;
/** Deepest nesting of lists and mappings, aliases expanded. */
export const MAX_DEPTH = 100;

/** One YAML problem at an offset of the text. */
interface YamlProblem {
  code: string;
  message: string;
  offset: number | undefined;
}

/**
 * Parses the text of one YAML config with YAML 1.1 semantics as PyYAML reads DeepReg's
 * configs (`yes`/`on` are `true`, `no`/`off` are `false`, `<<` merge keys work). An empty
 * text gives `null`.
 *
 * Every problem is an `INVALID_CONFIG` naming `file`, the line and the column: syntax
 * errors, duplicate keys, a list or mapping used as a key, an undefined or recursive alias,
 * a merge (`<<`) of something other than mappings, more than {@link MAX_ALIASES} aliases,
 * aliases expanding to more than {@link MAX_EXPANDED_NODES} values (an "alias bomb"), or
 * nesting deeper than {@link MAX_DEPTH}. Nothing is printed (no Node warnings). Time and
 * memory are linear in the size of the text.
 */
export function parseConfigYaml(text: string, file?: string): unknown {
  const where = file ?? "YAML text";
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    // uniqueKeys: false because the library's check compares every pair of keys (quadratic:
    // 50,000 keys took a minute); `checkNodes` checks them with a set instead.
    doc = parseDocument(text, {
      version: "1.1",
      customTags: pyyamlBooleans,
      uniqueKeys: false,
      lineCounter,
      logLevel: "silent",
      prettyErrors: false,
    });
  } catch (error) {
    throw invalidYaml(where, file, lineCounter, [{ code: "PARSE", message: reasonOf(error), offset: undefined }], error);
  }
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({ code: e.code, message: firstLine(e.message), offset: e.pos[0] }));
    throw invalidYaml(where, file, lineCounter, problems, doc.errors[0]);
  }
  const problem = checkNodes(doc, lineCounter);
  if (problem) throw invalidYaml(where, file, lineCounter, [problem], undefined);
  try {
    // Aliases are bounded by checkNodes; the library's own alias heuristic is not needed.
    return doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    throw invalidYaml(where, file, lineCounter, [{ code: "RESOLVE", message: reasonOf(error), offset: undefined }], error);
  }
}

/**
 * The first structural problem of the document, walking every node once (aliases are
 * followed through memoised sizes, so an alias bomb costs its text, not its expansion).
 */
function checkNodes(doc: Document.Parsed, lineCounter: LineCounter): YamlProblem | undefined {
  /** Per node: expanded size and depth of its subtree, once known. */
  const done = new Map<Node, { size: number; depth: number }>();
  const path = new Set<Node>();
  /** The latest node of each anchor name seen so far, in text order (what an alias refers to). */
  const anchors = new Map<string, Node>();
  const resolve = (alias: { source: string }): Node | undefined => anchors.get(alias.source);
  let aliases = 0;
  const at = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range?.[0] ?? undefined;
  const fail = (code: string, message: string, offset: number | undefined): never => {
    throw { yamlProblem: { code, message, offset } satisfies YamlProblem };
  };

  const visit = (node: unknown, depth: number): { size: number; depth: number } => {
    if (node === null || node === undefined) return { size: 1, depth: 0 };
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > MAX_ALIASES) fail("ALIAS_COUNT", `more than ${MAX_ALIASES} aliases`, at(node));
      const target = resolve(node);
      if (!target) fail("UNDEFINED_ALIAS", `alias *${node.source} refers to no anchor &${node.source} before it`, at(node));
      if (path.has(target as Node)) fail("RECURSIVE_ALIAS", `alias *${node.source} refers to a node that contains it (recursive alias)`, at(node));
      return visit(target, depth);
    }
    const known = done.get(node as Node);
    if (known) {
      if (depth + known.depth > MAX_DEPTH) fail("DEPTH", `nesting deeper than ${MAX_DEPTH} levels`, at(node as Node));
      return known;
    }
    if (isScalar(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      const result = { size: 1, depth: 0 };
      done.set(node, result);
      return result;
    }
    if (!isMap(node) && !isSeq(node)) return { size: 1, depth: 0 };
    if (node.anchor) anchors.set(node.anchor, node);
    if (depth >= MAX_DEPTH) fail("DEPTH", `nesting deeper than ${MAX_DEPTH} levels`, at(node));
    path.add(node);
    let size = 1;
    let deepest = 0;
    const add = (child: unknown, offset: number | undefined): void => {
      const inner = visit(child, depth + 1);
      size += inner.size;
      deepest = Math.max(deepest, inner.depth + 1);
      if (size > MAX_EXPANDED_NODES) {
        fail("ALIAS_EXPANSION", `aliases expand the config to more than ${MAX_EXPANDED_NODES} values (an alias bomb?)`, offset);
      }
    };
    if (isSeq(node)) {
      for (const item of node.items) add(item, at(item as Node));
    } else {
      const keys = new Map<string, number | undefined>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isAlias(keyNode) ? resolve(keyNode) : keyNode;
        if (isAlias(keyNode)) add(keyNode, at(keyNode));
        if (key !== null && key !== undefined && !isScalar(key)) {
          fail("COLLECTION_KEY", "a list or mapping is used as a key; config keys must be plain names", at(keyNode));
        }
        const name = key === null || key === undefined ? "" : String((key as Scalar).value);
        if (isMergeKey(keyNode)) {
          checkMergeSources(pair.value, resolve, fail, at);
        } else {
          const first = keys.get(name);
          if (keys.has(name)) {
            const pos = first === undefined ? undefined : lineCounter.linePos(first);
            const firstAt = pos === undefined ? "" : ` (first at line ${pos.line}, column ${pos.col})`;
            fail("DUPLICATE_KEY", `duplicate key ${JSON.stringify(name)}${firstAt}`, at(keyNode) ?? at(pair.value as Node));
          }
          keys.set(name, at(keyNode));
        }
        add(pair.value, at(pair.value as Node));
      }
    }
    path.delete(node);
    const result = { size, depth: deepest };
    done.set(node, result);
    return result;
  };

  try {
    visit(doc.contents, 0);
    return undefined;
  } catch (error) {
    const problem = (error as { yamlProblem?: YamlProblem }).yamlProblem;
    if (problem) return problem;
    throw error;
  }
}

/** A YAML 1.1 merge key: a plain `<<` (the library resolves it to a symbol tagged `!!merge`). */
function isMergeKey(node: unknown): boolean {
  if (!isScalar(node)) return false;
  if (node.tag === "tag:yaml.org,2002:merge") return true;
  const { value } = node;
  return typeof value === "symbol" && value.description === "<<";
}

/** A merge key's value must be a mapping, an alias of one, or a list of those. */
function checkMergeSources(
  value: unknown,
  resolve: (alias: { source: string }) => Node | undefined,
  fail: (code: string, message: string, offset: number | undefined) => never,
  at: (node: { range?: [number, number, number] | null } | null | undefined) => number | undefined,
): void {
  const sources = isSeq(value) ? value.items : [value];
  for (const source of sources) {
    const target = isAlias(source) ? resolve(source) : source;
    if (!isMap(target)) {
      fail("MERGE_SOURCE", "a merge key (<<) needs a mapping, an alias of a mapping, or a list of those", at(source as Node) ?? at(value as Node));
    }
  }
}

function invalidYaml(
  where: string,
  file: string | undefined,
  lineCounter: LineCounter,
  problems: readonly YamlProblem[],
  cause: unknown,
): DeepRegLoaderError {
  const located = problems.map((p) => {
    const pos = p.offset === undefined ? undefined : lineCounter.linePos(p.offset);
    return { ...p, line: pos?.line, column: pos?.col };
  });
  const lines = located.map((p) => {
    const at = p.line === undefined ? "" : ` at line ${p.line}, column ${p.column}`;
    return `${where}${at}: ${p.message}`;
  });
  const first = located[0];
  return new DeepRegLoaderError("INVALID_CONFIG", `invalid YAML in ${where}:\n${lines.join("\n")}`, {
    ...(file === undefined ? {} : { file }),
    ...(cause === undefined ? {} : { cause }),
    details: {
      line: first?.line,
      column: first?.column,
      errors: located.map((p) => ({ code: p.code, message: p.message, line: p.line, column: p.column })),
    },
  });
}

/** The first line of a `yaml` error message without its " at line L, column C:" suffix. */
function firstLine(message: string): string {
  const first = message.split("\n")[0] ?? message;
  if (/Maximum call stack size exceeded/.test(first)) return `nesting too deep to parse (more than ${MAX_DEPTH} levels allowed)`;
  return first.replace(/ at line \d+, column \d+:?$/, "");
}

function reasonOf(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error));
}
