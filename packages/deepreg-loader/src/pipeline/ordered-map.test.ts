import { describe, expect, it } from "vitest";
import { orderedMap } from "./ordered-map.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("orderedMap", () => {
  it("orderedMap([0..5], x => x * 10 after a delay decreasing with x, { concurrency: 3 }) keeps input order", async () => {
    const out = await collect(
      orderedMap([0, 1, 2, 3, 4, 5], async (x) => {
        await new Promise((r) => setTimeout(r, (6 - x) * 2));
        return x * 10;
      }, { concurrency: 3 }),
    );
    expect(out).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it("orderedMap(items, fn, { concurrency: 2 }) starts a third task only when the first result is taken", async () => {
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    const started: number[] = [];
    const it = orderedMap([0, 1, 2], (x) => {
      started.push(x);
      return gates[x]!.promise;
    }, { concurrency: 2 });
    const first = it.next();
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toEqual([0, 1]);
    gates[0]!.resolve(0);
    expect(await first).toEqual({ value: 0, done: false });
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.resolve(2);
    expect(await collect({ [Symbol.asyncIterator]: () => it })).toEqual([1, 2]);
  });

  it("orderedMap([0, 1, 2], fn failing on 1) yields 0 then throws the error of 1", async () => {
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const x of orderedMap([0, 1, 2], async (x) => {
          if (x === 1) throw new Error("bad 1");
          return x;
        }, { concurrency: 3 })) seen.push(x);
      })(),
    ).rejects.toThrow("bad 1");
    expect(seen).toEqual([0]);
  });

  it("break out of orderedMap(endless items, { concurrency: 4 }) after 3 results pulled 3 + 4 items, no more", async () => {
    let pulled = 0;
    function* endless() {
      for (;;) yield pulled++;
    }
    for await (const x of orderedMap(endless(), async (x) => x, { concurrency: 4 })) {
      if (x === 2) break;
    }
    // three taken plus four in flight, none after the break
    expect(pulled).toBe(7);
  });

  it("orderedMap(items throwing after 3 items, fn, { concurrency: 1 | 4 }) yields 0, 1, 2 then throws, whatever the concurrency", async () => {
    for (const concurrency of [1, 4]) {
      function* items() {
        yield 0;
        yield 1;
        yield 2;
        throw new Error("items failed");
      }
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const x of orderedMap(items(), async (x) => x, { concurrency })) seen.push(x);
        })(),
      ).rejects.toThrow("items failed");
      expect(seen).toEqual([0, 1, 2]);
    }
  });

  it("orderedMap(items, fn, { concurrency: 3, rampUp: true }) runs 1, then 2, then 3 tasks as results are taken", async () => {
    const gates = Array.from({ length: 6 }, () => deferred<number>());
    const started: number[] = [];
    const it = orderedMap([0, 1, 2, 3, 4, 5], (x) => {
      started.push(x);
      return gates[x]!.promise;
    }, { concurrency: 3, rampUp: true });
    const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
    const first = it.next();
    await tick();
    expect(started).toEqual([0]);
    gates[0]!.resolve(0);
    expect(await first).toEqual({ value: 0, done: false });
    // One taken: 2 in flight.
    expect(started).toEqual([0, 1, 2]);
    const second = it.next();
    gates[1]!.resolve(1);
    expect(await second).toEqual({ value: 1, done: false });
    // Two taken: 3 in flight (2, 3, 4), the cap.
    expect(started).toEqual([0, 1, 2, 3, 4]);
    const third = it.next();
    gates[2]!.resolve(2);
    expect(await third).toEqual({ value: 2, done: false });
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const g of gates.slice(3)) g.resolve(0);
    expect(await collect({ [Symbol.asyncIterator]: () => it })).toEqual([0, 0, 0]);
  });

  it("orderedMap([0..4], x => x, { concurrency: 1, rampUp: true }) keeps order, one at a time", async () => {
    expect(await collect(orderedMap([0, 1, 2, 3, 4], async (x) => x, { concurrency: 1, rampUp: true }))).toEqual([0, 1, 2, 3, 4]);
  });
});

