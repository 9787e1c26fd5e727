import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatSeconds, median, megabytesPerSecond, ratio, target } from "./stats.js";

describe("median", () => {
  it("median([3, 1, 2]) = 2", () => expect(median([3, 1, 2])).toBe(2));
  it("median([4, 1, 3, 2]) = 2.5 (mean of the middle two)", () => expect(median([4, 1, 3, 2])).toBe(2.5));
  it("median([7]) = 7", () => expect(median([7])).toBe(7));
  it("median([]) is NaN", () => expect(median([])).toBeNaN());
  it("median does not reorder its input", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("ratio", () => {
  it("ratio(3, 2) = 1.5", () => expect(ratio(3, 2)).toBe(1.5));
  it("ratio(1, 0) is NaN", () => expect(ratio(1, 0)).toBeNaN());
  it("ratio(NaN, 2) is NaN", () => expect(ratio(Number.NaN, 2)).toBeNaN());
});

describe("target", () => {
  it("target(<=): 1.5 <= 1.6 passes, 1.7 misses", () => {
    expect(target("t", "m", 1.5, "<=", 1.6).pass).toBe(true);
    expect(target("t", "m", 1.7, "<=", 1.6).pass).toBe(false);
  });
  it("target(>=): 10 >= 10 passes, 9.9 misses", () => {
    expect(target("t", "m", 10, ">=", 10).pass).toBe(true);
    expect(target("t", "m", 9.9, ">=", 10).pass).toBe(false);
  });
  it("target(<): 1.99 < 2 passes, 2 misses", () => {
    expect(target("t", "m", 1.99, "<", 2).pass).toBe(true);
    expect(target("t", "m", 2, "<", 2).pass).toBe(false);
  });
  it("target with a NaN value misses", () => {
    expect(target("t", "m", Number.NaN, "<=", 1).pass).toBe(false);
  });
  it("a target whose name has a known fix carries it, variants included; an unknown name has none", () => {
    expect(target("workers 2 >= 1.6x faster than workers 0, recycling", "m", 1.2, ">=", 1.6).fix).toContain("libuv");
    expect(target("time to first batch <= 1.5x one sample, auto", "m", 2, "<=", 1.5).fix).toContain("hugetlb");
    expect(target("t", "m", 1, "<=", 2)).not.toHaveProperty("fix");
  });
});

describe("formatting", () => {
  it("formatSeconds(0.01234) = '12.3 ms', formatSeconds(1.234) = '1.23 s'", () => {
    expect(formatSeconds(0.01234)).toBe("12.3 ms");
    expect(formatSeconds(1.234)).toBe("1.23 s");
  });
  it("formatCount(950) = '950', formatCount(12345) = '12.3k', formatCount(1234567) = '1.23M'", () => {
    expect(formatCount(950)).toBe("950");
    expect(formatCount(12345)).toBe("12.3k");
    expect(formatCount(1234567)).toBe("1.23M");
    expect(formatCount(Number.NaN)).toBe("-");
  });
  it("a target keeps the measured explanation it is given, and has none otherwise", () => {
    expect(target("t", "m", 2, "<=", 1, "faults").why).toBe("faults");
    expect("why" in target("t", "m", 2, "<=", 1)).toBe(false);
  });
  it("formatBytes(1536) = '1.50 KiB', formatBytes(3 * 2 ** 30) = '3.00 GiB'", () => {
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(3 * 2 ** 30)).toBe("3.00 GiB");
  });
  it("megabytesPerSecond(3e6, 2) = 1.5", () => expect(megabytesPerSecond(3e6, 2)).toBe(1.5));
});
