#!/usr/bin/env node
// The pack check: what a user gets from npm, tried as a user would.
//
// 1. Builds every package and packs it (`pnpm pack`), then lints each tarball with publint
//    (strict) and @arethetypeswrong/cli (`--profile node16`, see docs/decisions.md).
// 2. Serves the tarballs from a local registry (anything else is passed through to the real
//    one), so the root README's "Install" commands run VERBATIM with plain `npm`, each code
//    block pair (files + commands) in a fresh folder outside the workspace.
// 3. Checks what each promises: io-nifti alone reads a .nii.gz (installed under 1 MB, without
//    h5wasm), io-h5 alone reads an .h5, the meta-package trains over DeepReg's paired config
//    and its CLI runs through npx, require() of every entry works.
//
// Prints one line per check and `N passed, N failed`; exits 1 when a check failed.
// Usage: node scripts/pack-check.mjs [--no-build] [--keep]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");
const args = new Set(process.argv.slice(2));
const NIFTI_FILE = "case000000.nii.gz";
const H5_FILE = "moving_images.h5";
const CONFIG_FILE = "paired_nifti.yaml";
const MAX_NIFTI_INSTALL_BYTES = 1_000_000;

let passed = 0;
let failed = 0;
function pass(name, detail = "") {
  passed += 1;
  console.log(`ok   ${name}${detail ? ` (${detail})` : ""}`);
}
function fail(name, reason) {
  failed += 1;
  console.log(`FAIL ${name}: ${reason}`);
}
function check(name, fn) {
  try {
    const detail = fn();
    pass(name, detail);
  } catch (error) {
    fail(name, error instanceof Error ? error.message : String(error));
  }
}
async function checkAsync(name, fn) {
  try {
    pass(name, await fn());
  } catch (error) {
    fail(name, error instanceof Error ? error.message : String(error));
  }
}

/** The environment of a user's shell: no pnpm/npm variables of this workspace's scripts. */
function userEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|TURBO_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Like `run`, without blocking the event loop (the local registry serves from this process). */
function runAsync(cmd, argv, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** pnpm: the one running this script (`pnpm pack-check`), else the one on PATH. */
const PNPM = (() => {
  const exec = process.env.npm_execpath;
  if (!exec || !/pnpm/.test(basename(exec))) return ["pnpm"];
  return /\.[cm]?js$/.test(exec) ? [process.execPath, exec] : [exec];
})();

function pnpm(argv, options) {
  return run(PNPM[0], [...PNPM.slice(1), ...argv], options);
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 64 * 2 ** 20, ...options });
  if (r.error) throw r.error;
  return r;
}

function locateDeepRegData() {
  for (const c of [process.env.DEEPREG_DATA, join(ROOT, "..", "shared", "data", "deepreg")]) {
    if (c && existsSync(join(c, "data", "test"))) return c;
  }
  return undefined;
}

// ---------------------------------------------------------------- packages and tarballs

function workspacePackages() {
  return readdirSync(join(ROOT, "packages"))
    .map((d) => join(ROOT, "packages", d))
    .filter((d) => existsSync(join(d, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter((p) => !p.manifest.private);
}

function packAll(packages, dest) {
  for (const p of packages) {
    const r = pnpm(["pack", "--pack-destination", dest], { cwd: p.dir });
    if (r.status !== 0) throw new Error(`pnpm pack in ${p.dir} failed:\n${r.stderr}${r.stdout}`);
  }
  const tarballs = new Map();
  for (const file of readdirSync(dest).filter((f) => f.endsWith(".tgz"))) {
    const path = join(dest, file);
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", path, "package/package.json"], { encoding: "utf8" }));
    tarballs.set(manifest.name, { path, file, manifest, bytes: readFileSync(path) });
  }
  return tarballs;
}

// ---------------------------------------------------------------- the local registry

/** Serves our tarballs as a registry would; every other request goes to `upstream`. */
async function startRegistry(tarballs, upstream) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const tarball = [...tarballs.values()].find((t) => url.pathname === `/-/tarballs/${t.file}`);
      if (tarball) {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(tarball.bytes);
        return;
      }
      const name = decodeURIComponent(url.pathname.slice(1));
      const ours = tarballs.get(name);
      if (ours && req.method === "GET") {
        const { port } = server.address();
        const version = ours.manifest.version;
        const doc = {
          name,
          "dist-tags": { latest: version },
          versions: {
            [version]: {
              ...ours.manifest,
              _id: `${name}@${version}`,
              dist: {
                tarball: `http://127.0.0.1:${port}/-/tarballs/${ours.file}`,
                integrity: `sha512-${createHash("sha512").update(ours.bytes).digest("base64")}`,
                shasum: createHash("sha1").update(ours.bytes).digest("hex"),
              },
            },
          },
        };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(doc));
        return;
      }
      if (req.method !== "GET") {
        res.writeHead(404).end();
        return;
      }
      const headers = {};
      if (req.headers.accept) headers.accept = req.headers.accept;
      const up = await fetch(new URL(url.pathname + url.search, upstream), { headers });
      const body = Buffer.from(await up.arrayBuffer());
      res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" });
      res.end(body);
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

// ---------------------------------------------------------------- the README's Install section

/** The Install section as units: files to write (`// file: NAME` blocks) and the commands after them. */
export function installUnits(readme) {
  const start = readme.indexOf("\n## Install\n");
  if (start < 0) throw new Error("README.md has no '## Install' section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const units = [];
  let files = [];
  let title = "";
  const re = /^### (.*)$|^```(\w+)\n([\s\S]*?)^```$/gm;
  for (let m; (m = re.exec(section)); ) {
    if (m[1] !== undefined) {
      title = m[1];
      continue;
    }
    const [lang, body] = [m[2], m[3]];
    if (lang === "sh") {
      const commands = body.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
      units.push({ title, files, commands });
      files = [];
    } else {
      const name = /^\/\/ file: (\S+)\n/.exec(body);
      if (name) files.push({ name: name[1], text: body });
    }
  }
  return units;
}

function dirSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += dirSize(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

function installedPackages(dir) {
  const nm = join(dir, "node_modules");
  if (!existsSync(nm)) return [];
  const names = [];
  for (const d of readdirSync(nm)) {
    if (d.startsWith(".")) continue;
    if (d.startsWith("@")) for (const s of readdirSync(join(nm, d))) names.push(`${d}/${s}`);
    else names.push(d);
  }
  return names.sort();
}

/** What the workspace build prints for a README command: the reference for the tarballs. */
async function expectedOutput(command, dir, data) {
  const dist = (pkg, entry = "index.js") => pathToFileURL(join(ROOT, "packages", pkg, "dist", entry)).href;
  const [cmd, script, arg] = command.split(/\s+/);
  if (cmd === "node" && (script === "read-nifti.mjs" || script === "read-nifti.cjs")) {
    const { readNifti } = await import(dist("io-nifti"));
    const v = await readNifti(join(dir, arg));
    return script.endsWith(".mjs") ? format(v.shape, v.get(10, 20, 30)) : format(v.shape);
  }
  if (cmd === "node" && script === "read-h5.mjs") {
    const { openH5 } = await import(dist("io-h5"));
    const h5 = await openH5(join(dir, arg));
    try {
      const [key] = h5.keys();
      return format(key, h5.read(key).shape);
    } finally {
      h5.close();
    }
  }
  if (cmd === "node" && script === "train.mjs") {
    const { readConfig, createDataLoader } = await import(dist("deepreg-loader"));
    const cwd = process.cwd();
    process.chdir(dir); // DeepReg's config paths are relative to the current directory
    try {
      const config = await readConfig([arg]);
      const loader = await createDataLoader(config.dataset, "train", { seed: 42 });
      let steps = 0;
      for await (const _ of loader.batches({ batchSize: 2, training: true, epochs: 2 })) steps += 1;
      await loader.close();
      return `${steps} steps, batches of ${loader.movingImageShape.join("x")} moving images`;
    } finally {
      process.chdir(cwd);
    }
  }
  if (cmd === "node" && script === "fit.mjs") return "3 epochs trained";
  if (command.startsWith("npx --no-install deepreg-loader ")) {
    const r = run(process.execPath, [join(ROOT, "packages/deepreg-loader/dist/cli.js"), ...command.split(/\s+/).slice(3)], { cwd: dir });
    if (r.status !== 0) throw new Error(`the workspace CLI failed: ${r.stderr}`);
    return r.stdout.trimEnd();
  }
  return undefined;
}

/** Puts the data the README's commands name into `dir`. */
function provideData(dir, data) {
  if (data) {
    copyFileSync(join(data, "data/test/nifti/paired/train/moving_images", NIFTI_FILE), join(dir, NIFTI_FILE));
    copyFileSync(join(data, "data/test/h5/paired/train", H5_FILE), join(dir, H5_FILE));
    copyFileSync(join(data, "config/test", CONFIG_FILE), join(dir, CONFIG_FILE));
    symlinkSync(join(data, "data"), join(dir, "data"));
  }
}

async function syntheticData(dir) {
  // Without DeepReg's data: small files written by the workspace build.
  const dist = (pkg) => pathToFileURL(join(ROOT, "packages", pkg, "dist", "index.js")).href;
  const { writeNifti } = await import(dist("io-nifti"));
  const { writeH5 } = await import(dist("io-h5"));
  const shape = [12, 22, 32];
  const data = Float32Array.from({ length: 12 * 22 * 32 }, (_, i) => (i * 7) % 101);
  await writeNifti(join(dir, NIFTI_FILE), { data, shape });
  await writeH5(join(dir, H5_FILE), { "case000000.nii.gz": { data, shape } });
}

async function runUnit(unit, index, { env, data, work }) {
  const dir = join(work, `unit-${index}`);
  mkdirSync(dir);
  if (data) provideData(dir, data);
  else await syntheticData(dir);
  for (const f of unit.files) writeFileSync(join(dir, f.name), f.text);
  const label = `${unit.title} [${unit.commands.join(" && ")}]`;
  for (const command of unit.commands) {
    if (!data && /train\.mjs|fit\.mjs|deepreg-loader info/.test(command)) {
      console.log(`skip ${command}: DeepReg test data not found (../shared/data/deepreg or $DEEPREG_DATA)`);
      continue;
    }
    const started = Date.now();
    const r = await runAsync("sh", ["-c", command], { cwd: dir, env });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (r.status !== 0) {
      fail(`${label}: ${command}`, `exit ${r.status}\n${r.stderr}${r.stdout}`);
      return dir;
    }
    if (command.startsWith("npm install")) {
      pass(`${command}`, `${seconds} s, ${installedPackages(dir).length} packages, ${dirSize(join(dir, "node_modules"))} bytes`);
      continue;
    }
    const expected = await expectedOutput(command, dir, data);
    if (expected === undefined) {
      pass(command, `${seconds} s`);
    } else if (r.stdout.trimEnd() === expected) {
      pass(command, `${seconds} s, printed ${JSON.stringify(expected.split("\n")[0])}`);
    } else {
      fail(command, `printed ${JSON.stringify(r.stdout.trimEnd())}, the workspace build prints ${JSON.stringify(expected)}`);
    }
  }
  return dir;
}

// ---------------------------------------------------------------- checks on installed folders

function checkNiftiAlone(dir) {
  check("io-nifti alone: installed under 1 MB, without h5wasm", () => {
    const names = installedPackages(dir);
    if (names.includes("h5wasm")) throw new Error(`h5wasm is installed: ${names.join(", ")}`);
    const size = dirSize(join(dir, "node_modules"));
    if (size >= MAX_NIFTI_INSTALL_BYTES) throw new Error(`node_modules holds ${size} bytes (${names.join(", ")})`);
    return `${size} bytes: ${names.join(", ")}`;
  });
}

async function checkRequireEveryEntry(dir, env, tarballs) {
  const entries = [];
  for (const name of tarballs.keys()) {
    const pkgDir = join(dir, "node_modules", name);
    if (!existsSync(pkgDir)) continue;
    const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    for (const key of Object.keys(manifest.exports ?? { ".": null })) entries.push(key === "." ? name : `${name}/${key.slice(2)}`);
  }
  await checkAsync(`require() of every entry (${entries.length})`, async () => {
    const script = `
      const entries = ${JSON.stringify(entries)};
      for (const e of entries) {
        const m = require(e);
        if (!e.endsWith("package.json") && Object.keys(m).length === 0) throw new Error(e + " exports nothing");
      }`;
    const r = await runAsync(process.execPath, ["-e", script], { cwd: dir, env });
    if (r.status !== 0) throw new Error(r.stderr);
    return entries.join(", ");
  });
}

function checkBrowserBundle(dir) {
  check("browser bundle: built, no node: imports, no Node entry", () => {
    const bundle = readFileSync(join(dir, "app.js"), "utf8");
    const nodeImport = /(?:from|import|require\()\s*["'](node:[\w/]+|fs|zlib|path|os|worker_threads)["']/.exec(bundle);
    if (nodeImport) throw new Error(`app.js imports ${nodeImport[1]}`);
    if (!bundle.includes("DecompressionStream")) throw new Error("app.js does not hold the browser readNifti (no DecompressionStream)");
    return `${bundle.length} bytes`;
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const packages = workspacePackages();
  if (!args.has("--no-build")) {
    const r = pnpm(["turbo", "run", "build", "--filter=./packages/*", "--output-logs=errors-only"], {
      cwd: ROOT,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    });
    if (r.status !== 0) {
      fail("build", r.stdout + r.stderr);
      return;
    }
    pass("build", `${packages.length} packages`);
  }

  const work = mkdtempSync(join(tmpdir(), "deepreg-loader-pack-check-"));
  const tarballDir = join(work, "tarballs");
  mkdirSync(tarballDir);
  const tarballs = packAll(packages, tarballDir);
  pass("pnpm pack", [...tarballs.values()].map((t) => `${basename(t.file)} ${t.bytes.length} B`).join(", "));

  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  for (const [name, t] of tarballs) {
    await checkAsync(`publint --strict ${name}`, async () => {
      const { messages, pkg } = await publint({ pack: { tarball: t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.byteLength) }, strict: true });
      if (messages.length > 0) throw new Error(messages.map((m) => `[${m.type}] ${formatMessage(m, pkg)}`).join("; "));
      return "";
    });
    check(`attw --profile node16 ${name}`, () => {
      const r = run(join(BIN, "attw"), [t.path, "--profile", "node16", "--ignore-rules", "cjs-resolves-to-esm", "--format", "ascii"], { cwd: ROOT });
      if (r.status !== 0) throw new Error(r.stdout + r.stderr);
      return "";
    });
    check(`${name} ships LICENSE and resolves every README link`, () => checkTarballContents(t));
  }

  const data = locateDeepRegData();
  if (!data) console.log("note: DeepReg test data not found (../shared/data/deepreg or $DEEPREG_DATA): synthetic files are used, the trainer and the CLI are skipped");
  const registry = await startRegistry(tarballs, process.env.PACK_CHECK_UPSTREAM ?? "https://registry.npmjs.org/");
  const { port } = registry.address();
  const env = userEnv({
    npm_config_registry: `http://127.0.0.1:${port}/`,
    npm_config_cache: join(tmpdir(), "deepreg-loader-pack-check-npm-cache"),
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_loglevel: "error",
  });
  try {
    const units = installUnits(readFileSync(join(ROOT, "README.md"), "utf8"));
    for (const [i, unit] of units.entries()) {
      const dir = await runUnit(unit, i, { env, data, work });
      const install = unit.commands.find((c) => c.startsWith("npm install"));
      if (install === "npm install @deepreg-loader/io-nifti") checkNiftiAlone(dir);
      if (/^npm install deepreg-loader\b/.test(install ?? "")) await checkRequireEveryEntry(dir, env, tarballs);
      if (unit.commands.some((c) => c.startsWith("npx esbuild "))) checkBrowserBundle(dir);
    }
  } finally {
    registry.close();
    if (!args.has("--keep")) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

/** LICENSE is the Apache-2.0 text; every relative link of a shipped .md file resolves inside it. */
function checkTarballContents(t) {
  const files = execFileSync("tar", ["-tzf", t.path], { encoding: "utf8" }).split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
  const set = new Set(files);
  if (!set.has("LICENSE")) throw new Error("no LICENSE");
  const license = execFileSync("tar", ["-xzOf", t.path, "package/LICENSE"], { encoding: "utf8" });
  if (!license.includes("Apache License") || !license.includes("Version 2.0, January 2004") || !license.includes("END OF TERMS AND CONDITIONS")) {
    throw new Error("LICENSE is not the Apache License 2.0 text");
  }
  const broken = [];
  for (const md of files.filter((f) => f.endsWith(".md"))) {
    const text = execFileSync("tar", ["-xzOf", t.path, `package/${md}`], { encoding: "utf8" }).replace(/```[\s\S]*?```/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
      const path = join(dirname(md), target.split("#")[0]).replace(/^\.\//, "");
      if (!set.has(path)) broken.push(`${md} -> ${target}`);
    }
  }
  if (broken.length > 0) throw new Error(`links outside the tarball: ${broken.join(", ")}`);
  return `${files.length} files`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  try {
    await main();
  } catch (error) {
    fail("pack check", error instanceof Error ? error.stack : String(error));
  }
  console.log(`pack check: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(failed > 0 ? 1 : 0);
}
