// The fallback of a file opened without h5wasm: when the native reader gives up on a dataset's
// values at read time (a damaged deflate stream, a chunk that inflates to the wrong size, a file
// changed since it was opened), h5wasm must answer exactly as it would have: the same values or
// the same coded error. `H5File.read` is synchronous and h5wasm starts asynchronously, so the
// read runs in a child Node process (h5wasm only, `native: false`) and this thread waits for it.
// Only damaged files take this path; its cost (a process and an h5wasm start, ~0.5 s) is paid
// where h5wasm would have been started anyway.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DeepRegLoaderError } from "@deepreg-loader/core";
import type { ErrorCode } from "@deepreg-loader/core";

/** How long the child may take before it is killed and the read fails (it never hangs). */
const CHILD_TIMEOUT_MS = 120_000;

/** The built package (from src/ and from dist/ alike: `../dist/index.js`). */
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** The child: reads one dataset through h5wasm, writes `u32 header length, header JSON, float32 bytes` to stdout. */
const CHILD = `
const [dist, path, key, json] = process.argv.slice(1);
const o = JSON.parse(json);
const send = (header, data) => {
  const head = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(head.length);
  process.stdout.write(Buffer.concat([size, head]));
  if (data) process.stdout.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
};
try {
  const { openH5 } = await import(dist);
  const file = await openH5(path, { native: false, slabBytes: o.slabBytes, maxBytes: o.maxBytes });
  try {
    const volume = file.read(key, o.channel === undefined ? {} : { channel: o.channel });
    send({ ok: true, length: volume.data.length }, volume.data);
  } finally {
    file.close();
  }
} catch (e) {
  send({ ok: false, code: e?.code, message: e?.message ?? String(e), details: e?.details });
}
`;

/** Options of the read handed to h5wasm. */
export interface ThroughH5wasmOptions {
  channel: number | undefined;
  slabBytes: number;
  maxBytes: number;
}

/**
 * Dataset `key` of `path` as row-major float32, read by h5wasm in a child process; h5wasm's
 * error (same code, message and details) when it fails. `reason` says why the native read
 * gave up (used only when the child itself fails).
 */
export function readThroughH5wasm(path: string, key: string, options: ThroughH5wasmOptions, reason?: string): Float32Array {
  const failed = (why: string, cause?: unknown): DeepRegLoaderError =>
    new DeepRegLoaderError("READ_FAILED", `${path}: cannot read dataset "${key}": ${reason ?? "the native read failed"} (h5wasm: ${why})`, {
      file: path,
      cause,
      details: { key },
    });
  // Bundled into an application, the package's dist/ is not there to start the child from.
  if (!existsSync(DIST)) throw failed(`not available: ${DIST} is missing (a bundled build)`);
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD, DIST, path, key, JSON.stringify(options)], {
    env: { ...process.env, DEEPREG_LOADER_H5_NATIVE: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: Math.min(options.maxBytes, 2 ** 32) + 2 ** 20,
    windowsHide: true,
    timeout: CHILD_TIMEOUT_MS,
  });
  if (child.error) throw failed((child.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `the reading process was stopped after ${CHILD_TIMEOUT_MS / 1000} s` : child.error.message, child.error);
  const out = child.stdout;
  if (out.length < 4) throw failed(`the reading process ended without an answer (status ${child.status}, signal ${child.signal})`);
  const headLength = out.readUInt32LE(0);
  let header: { ok: boolean; length?: number; code?: ErrorCode; message?: string; details?: Record<string, unknown> };
  try {
    header = JSON.parse(out.toString("utf8", 4, 4 + headLength)) as typeof header;
  } catch (error) {
    throw failed("unreadable answer", error);
  }
  if (!header.ok) {
    // Node's own failures in the child (ERR_MODULE_NOT_FOUND, ...) are not our codes.
    if (typeof header.code !== "string" || header.code.startsWith("ERR_")) throw failed(header.message ?? "unknown error");
    throw new DeepRegLoaderError(header.code, header.message ?? "", { file: path, ...(header.details ? { details: header.details } : {}) });
  }
  const length = header.length as number;
  const start = 4 + headLength;
  if (out.length !== start + length * 4) throw failed(`${out.length - start} bytes of values for ${length} values`);
  const values = new Float32Array(length);
  new Uint8Array(values.buffer).set(out.subarray(start));
  return values;
}
