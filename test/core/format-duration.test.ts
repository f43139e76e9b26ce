import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/core/format-duration.js";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [999.4, "999 ms"],
    [999.6, "1.0 s"],
    [1_000, "1.0 s"],
    [12_345, "12.3 s"],
    [59_940, "59.9 s"],
    [59_960, "1 min 00 s"],
    [245_000, "4 min 05 s"],
    [3_599_400, "59 min 59 s"],
    [3_599_600, "1 h 00 min"],
    [3_725_000, "1 h 02 min"],
    [27 * 3_600_000, "27 h 00 min"],
    [-20, "0 ms"],
    [Number.NaN, "unknown"],
    [Number.POSITIVE_INFINITY, "unknown"],
    [undefined, "unknown"],
    [null, "unknown"],
  ])("%s ms reads %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
