#!/usr/bin/env node
// Documentation rule: every symbol a published package exports has a TSDoc comment, and so
// does every field and public member of what it exports (interface and type-literal
// properties, class members, enum members). The main entry points also carry an `@example`.
// It starts from each package's export map (`./dist/X.js` -> `src/X.ts`), follows re-exports
// with the TypeScript compiler, and checks each symbol in its home package only (a symbol that
// `deepreg-loader` re-exports from `@deepreg-loader/core` is core's to document). Private
// packages (apps) and private/protected/`#` members are not checked.
// Usage: node scripts/check-tsdoc.mjs [packages-dir]; prints `package: symbol (file:line)` for
// each undocumented one and exits 1 when there is any.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Main entry points that must show an `@example` (when their home package exports them). */
export const NEEDS_EXAMPLE = [
  "createDataLoader",
  "readNifti",
  "openH5",
  "readConfig",
  "toDataset",
  "augmentSample",
  "resize",
  "normalize",
  "warpAffine",
];

/** Every string target of an export map (conditions flattened), e.g. "./dist/index.js". */
function exportTargets(value) {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(exportTargets);
}

/** The publishable packages of a packages folder with their entry source files. */
export function findPackages(packagesDir) {
  const packages = [];
  for (const name of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, name);
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    if (pkg.private) continue;
    const targets = new Set(exportTargets(pkg.exports ?? pkg.main ?? "./dist/index.js"));
    const entries = [];
    for (const target of targets) {
      const m = /^\.\/dist\/(.+)\.js$/.exec(target);
      if (!m) continue;
      const source = join(dir, "src", `${m[1]}.ts`);
      if (existsSync(source) && !entries.includes(source)) entries.push(source);
    }
    packages.push({ name: pkg.name, dir, entries });
  }
  return packages;
}

function hasDoc(node) {
  // JSDoc attaches to the statement for `export const x = ...`.
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  const docs = ts.getJSDocCommentsAndTags(target).filter(ts.isJSDoc);
  return docs.some((d) => (typeof d.comment === "string" ? d.comment.trim() !== "" : (d.comment?.length ?? 0) > 0) || (d.tags?.length ?? 0) > 0);
}

function hasExample(node) {
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return ts.getJSDocTags(target).some((t) => t.tagName.text === "example");
}

function memberName(member) {
  if (ts.isConstructorDeclaration(member)) return "constructor";
  if (!member.name) return undefined;
  if (ts.isComputedPropertyName(member.name)) return `[${member.name.expression.getText()}]`;
  return member.name.getText();
}

function isPublic(member) {
  const flags = ts.getCombinedModifierFlags(member);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  return !(member.name && ts.isPrivateIdentifier(member.name));
}

/** The type literals a type node spells out inline (directly, in unions/intersections, arrays). */
function typeLiterals(type) {
  if (!type) return [];
  if (ts.isTypeLiteralNode(type)) return [type];
  if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) return type.types.flatMap(typeLiterals);
  if (ts.isParenthesizedTypeNode(type)) return typeLiterals(type.type);
  if (ts.isArrayTypeNode(type)) return typeLiterals(type.elementType);
  return [];
}

/** Every (name, node) of a declaration that needs a doc comment: itself and its fields. */
function documentable(decl, name) {
  const out = [{ name, node: decl }];
  const fields = (members, prefix) => {
    for (const member of members) {
      if (ts.isIndexSignatureDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) continue;
      if (ts.isCallSignatureDeclaration(member) || ts.isConstructSignatureDeclaration(member)) continue;
      if (ts.isSemicolonClassElement(member)) continue;
      if (!isPublic(member)) continue;
      if (ts.isConstructorDeclaration(member) && member.parameters.length === 0 && !member.body?.statements.length) continue;
      const n = memberName(member);
      if (n === undefined) continue;
      out.push({ name: `${prefix}.${n}`, node: member });
      if (ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) {
        for (const literal of typeLiterals(member.type)) fields(literal.members, `${prefix}.${n}`);
      }
    }
  };
  if (ts.isInterfaceDeclaration(decl) || ts.isClassDeclaration(decl)) fields(decl.members, name);
  else if (ts.isTypeAliasDeclaration(decl)) for (const literal of typeLiterals(decl.type)) fields(literal.members, name);
  else if (ts.isEnumDeclaration(decl)) fields(decl.members, name);
  return out;
}

/**
 * Every undocumented exported symbol of the packages in `packagesDir`, as
 * `{ pkg, symbol, file, line, missing }` (`missing` is "doc", "@example" or "resolution": an
 * export the compiler cannot follow), sorted.
 */
export function checkTsdoc(packagesDir, { root = resolve(packagesDir, "..") } = {}) {
  const packages = findPackages(packagesDir);
  // Workspace imports resolve to the sibling's source, so no build is needed and each
  // declaration's file tells its home package.
  const paths = {};
  for (const p of packages) {
    paths[p.name] = [join(p.dir, "src", "index.ts")];
    paths[`${p.name}/*`] = [join(p.dir, "src", "*")];
  }
  const program = ts.createProgram(
    packages.flatMap((p) => p.entries),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      noLib: true, // only declarations and their comments matter; no type checking
      paths,
    },
  );
  const checker = program.getTypeChecker();
  const problems = [];
  for (const p of packages) {
    const srcDir = join(p.dir, "src") + sep;
    const seen = new Set();
    for (const entry of p.entries) {
      const source = program.getSourceFile(entry);
      const moduleSymbol = source && checker.getSymbolAtLocation(source);
      if (!moduleSymbol) continue;
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const name = exported.getName();
        if ((symbol.declarations ?? []).length === 0) {
          // An export the compiler cannot follow (a missing file or name) cannot be checked.
          const decl = exported.declarations?.[0] ?? source;
          if (!resolve(decl.getSourceFile().fileName).startsWith(srcDir)) continue; // reported where it is written
          const line = decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1;
          problems.push({ pkg: p.name, symbol: name, file: relative(root, decl.getSourceFile().fileName), line, missing: "resolution" });
          continue;
        }
        const decls = symbol.declarations.filter((d) => resolve(d.getSourceFile().fileName).startsWith(srcDir));
        if (decls.length === 0) continue; // declared in another package: checked there
        // Overloads (and merged declarations) spell a name more than once: one documented
        // spelling is enough; the first one is reported.
        const byName = new Map();
        for (const decl of decls) {
          for (const item of documentable(decl, name)) {
            if (!byName.has(item.name)) byName.set(item.name, []);
            byName.get(item.name).push(item.node);
          }
        }
        for (const [symbolName, nodes] of byName) {
          if (nodes.some(hasDoc)) continue;
          const where = nodes[0].getSourceFile();
          const line = where.getLineAndCharacterOfPosition(nodes[0].getStart()).line + 1;
          const key = `${symbolName}@${where.fileName}:${line}`;
          if (seen.has(key)) continue;
          seen.add(key);
          problems.push({ pkg: p.name, symbol: symbolName, file: relative(root, where.fileName), line, missing: "doc" });
        }
        if (NEEDS_EXAMPLE.includes(name) && !decls.some(hasExample)) {
          const decl = decls[0];
          const line = decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1;
          const key = `${name}@example@${decl.getSourceFile().fileName}:${line}`;
          if (!seen.has(key)) {
            seen.add(key);
            problems.push({ pkg: p.name, symbol: name, file: relative(root, decl.getSourceFile().fileName), line, missing: "@example" });
          }
        }
      }
    }
  }
  return problems.sort((a, b) => a.pkg.localeCompare(b.pkg) || a.file.localeCompare(b.file) || a.line - b.line);
}

const SUFFIX = { doc: "", "@example": " [no @example]", resolution: " [export not resolved]" };

/** One line per problem: `package: symbol (file:line)`, with what is missing when not the doc comment. */
export function formatProblem(x) {
  return `${x.pkg}: ${x.symbol} (${x.file}:${x.line})${SUFFIX[x.missing]}`;
}

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(process.argv[2] ?? join(here, "..", "packages"));
  const problems = checkTsdoc(dir);
  for (const x of problems) console.error(formatProblem(x));
  const count = findPackages(dir).length;
  if (problems.length > 0) {
    console.error(`tsdoc: ${problems.length} exported symbols without TSDoc in ${new Set(problems.map((x) => x.pkg)).size} of ${count} packages`);
    process.exit(1);
  }
  console.log(`tsdoc: every exported symbol of ${count} packages is documented`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
