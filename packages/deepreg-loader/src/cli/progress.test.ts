import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.js";

const io = (tty: boolean) => {
  const out = { text: "" };
  return { out, io: { stdout: { write: () => true }, stderr: { write: (s: string) => (out.text += s), isTTY: tty }, cwd: "/" } };
};

describe("createProgress", () => {
  it("createProgress(not a terminal, { intervalMs: 5000 }) writes a plain line at most every 5 s", () => {
    const { out, io: cli } = io(false);
    let now = 0;
    const progress = createProgress(cli, "check train", { intervalMs: 5000, now: () => now });
    progress.update(1, 4, "a.nii.gz");
    now = 4999;
    progress.update(2, 4, "b.nii.gz");
    now = 5000;
    progress.update(3, 4, "c.nii.gz");
    now = 6000;
    progress.update(4, 4, "d.nii.gz");
    now = 10000;
    progress.end();
    expect(out.text).toBe("check train 3/4 c.nii.gz\n");
  });

  it("createProgress(not a terminal) without intervalMs writes nothing; on a terminal one live line, cleared at the end", () => {
    const quiet = io(false);
    const silent = createProgress(quiet.io, "info train");
    silent.update(1, 2, "a");
    silent.end();
    expect(quiet.out.text).toBe("");
    const tty = io(true);
    const live = createProgress(tty.io, "check train", { intervalMs: 5000 });
    live.update(1, 2, "a");
    live.update(2, 2, "b");
    live.end();
    expect(tty.out.text).toBe("\r\x1b[Kcheck train 1/2 a\r\x1b[Kcheck train 2/2 b\r\x1b[K");
  });
});
