import { randomFor } from "@deepreg-loader/samplers";
import { describe, expect, it } from "vitest";
import { shuffleBufferOrder } from "./shuffle-buffer.js";

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++] as number;
}

describe("shuffleBufferOrder", () => {
  it("shuffleBufferOrder(5, 2, [0.6, 0.1, 0.9, 0.2, 0.7]) -> [1, 0, 2, 3, 4]", () => {
    expect(shuffleBufferOrder(5, 2, sequence([0.6, 0.1, 0.9, 0.2, 0.7]))).toEqual([1, 0, 2, 3, 4]);
  });

  it("shuffleBufferOrder(4, 1, random) keeps the order and draws nothing", () => {
    expect(shuffleBufferOrder(4, 1, sequence([]))).toEqual([0, 1, 2, 3]);
  });

  it("shuffleBufferOrder(25, 8, randomFor(0, 0, 'shuffle-buffer')) is a permutation that moves each position at most 7 places earlier", () => {
    const order = shuffleBufferOrder(25, 8, randomFor(0, 0, "shuffle-buffer"));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 25 }, (_, i) => i));
    order.forEach((position, k) => expect(position).toBeLessThanOrEqual(k + 7));
  });

  it("shuffleBufferOrder(3, 10, [0.5, 0.9, 0.1]) drains a buffer larger than the stream", () => {
    // buffer [0, 1, 2]: slot 1 -> 1 (buffer [0, 2]); slot 1 -> 2 (buffer [0]); slot 0 -> 0
    expect(shuffleBufferOrder(3, 10, sequence([0.5, 0.9, 0.1]))).toEqual([1, 2, 0]);
  });
});
