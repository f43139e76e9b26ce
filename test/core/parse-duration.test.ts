import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/core/parse-duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["90m", 5_400_000],
    ["4h", 14_400_000],
    ["1h30m", 5_400_000],
    ["1h 30m", 5_400_000],
    ["2d", 172_800_000],
    [" 4H ", 14_400_000],
  ])("%j → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "4", "4 hours", "h", "-1h", "0m", "4h and more", "1.5h"])("rejects %j with an example", (text) => {
    expect(() => parseDuration(text)).toThrow(/use a number with s, m, h or d, e\.g\. 30m|longer than zero/);
  });
});
