// The browser entry in a real browser: Debian's headless Chromium loads a page served under a
// strict Content-Security-Policy (`script-src 'self'`, so no eval / `new Function`), whose
// script (bundled by esbuild for the browser, i.e. through the `browser` export conditions)
// fetches a real DeepReg `.nii.gz`, reads it with `readNifti(response)` (gzip inflated by
// `DecompressionStream`), resizes and normalises it with volume-ops; the values must equal the
// Node entry's, bit for bit. Skips with a printed reason without Chromium or the DeepReg data.
import { spawn, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { normalize, resize } from "@deepreg-loader/volume-ops";
import { DEEPREG_DATA, deepregPath } from "../../../test-utils/deepreg-data.js";
import { readNifti } from "../dist/index.js";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find(
  (c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0,
);
if (!CHROMIUM) console.warn("[io-nifti browser test] skipped: no chromium on PATH (apt-get install chromium)");
if (!DEEPREG_DATA) console.warn("[io-nifti browser test] skipped: DeepReg test data not found");

const TARGET: [number, number, number] = [16, 20, 12];
const PAGE = `
import { readNifti } from "@deepreg-loader/io-nifti";
import { normalize, resize } from "@deepreg-loader/volume-ops";
const out = document.getElementById("out");
const violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective + " " + e.blockedURI));
try {
  const volume = await readNifti(await fetch("/image.nii.gz"));
  const ready = normalize(resize(volume, ${JSON.stringify(TARGET)}));
  out.textContent = JSON.stringify({ shape: volume.shape, ready: { shape: ready.shape, data: Array.from(ready.data) }, violations });
} catch (error) {
  out.textContent = JSON.stringify({ error: String(error && error.stack || error), violations });
}
`;
const HTML = `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/page.js"></script></head><body><pre id="out">pending</pre></body></html>`;
const CSP = "default-src 'self'; script-src 'self'";

function runChromium(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      CHROMIUM as string,
      ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=30000", "--dump-dom", url],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0 && stdout === "") reject(new Error(`chromium exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

describe.skipIf(!CHROMIUM || !DEEPREG_DATA)("browser entry in headless Chromium under script-src 'self'", () => {
  it("readNifti(fetch response) + resize + normalize equals the Node entry's values, with no CSP violation", async () => {
    const niiPath = deepregPath("data/test/nifti/paired/train/moving_images/case000000.nii.gz");
    const bundle = await build({
      stdin: { contents: PAGE, resolveDir: PACKAGE, sourcefile: "page.js", loader: "js" },
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]!.text;
    expect(script).not.toMatch(/from\s*["']node:/);
    const nii = await readFile(niiPath);
    const server = createServer((req, res) => {
      const headers = { "content-security-policy": CSP };
      if (req.url === "/") res.writeHead(200, { ...headers, "content-type": "text/html" }).end(HTML);
      else if (req.url === "/page.js") res.writeHead(200, { ...headers, "content-type": "text/javascript" }).end(script);
      else if (req.url === "/image.nii.gz") res.writeHead(200, { ...headers, "content-type": "application/octet-stream" }).end(nii);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const dom = await runChromium(`http://127.0.0.1:${port}/`);
      const text = /<pre id="out">([\s\S]*?)<\/pre>/.exec(dom)?.[1];
      expect(text, dom.slice(0, 500)).toBeDefined();
      const result = JSON.parse(text!.replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
      expect(result.error).toBeUndefined();
      expect(result.violations).toEqual([]);

      const node = normalize(resize(await readNifti(niiPath), TARGET));
      expect(result.shape).toEqual([64, 64, 60]);
      expect(result.ready.shape).toEqual(TARGET);
      expect(result.ready.data).toEqual(Array.from(node.data));
    } finally {
      server.close();
    }
  });

  it("a page whose code calls ndarray (the Node entry's volumes) is blocked by the same CSP: the check can fail", async () => {
    const bundle = await build({
      stdin: {
        contents: `import ndarray from "ndarray"; const out = document.getElementById("out");
          try { ndarray(new Float32Array(8), [2, 2, 2]); out.textContent = "no error"; } catch (e) { out.textContent = "blocked: " + e.name; }`,
        resolveDir: join(PACKAGE, "..", "core"),
        sourcefile: "page.js",
        loader: "js",
      },
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]!.text;
    const server = createServer((req, res) => {
      const headers = { "content-security-policy": CSP };
      if (req.url === "/") res.writeHead(200, { ...headers, "content-type": "text/html" }).end(HTML);
      else if (req.url === "/page.js") res.writeHead(200, { ...headers, "content-type": "text/javascript" }).end(script);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const dom = await runChromium(`http://127.0.0.1:${port}/`);
      expect(/<pre id="out">([\s\S]*?)<\/pre>/.exec(dom)?.[1]).toBe("blocked: EvalError");
    } finally {
      server.close();
    }
  });
});
