import { describe, expect, it } from "vitest";
import { InvalidExpiresAtError, InvalidShadowMetadataError } from "../../../src/drivers/aws/aws-errors.js";
import { formatExpiresAt, parseExpiresAt, shadowTags, tagMap, validateMetadata } from "../../../src/drivers/aws/shadow-tags.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("shadow tags", () => {
  it("tags a stack with its environment, pull request, commit and expiry", () => {
    const tags = shadowTags({ environment: "acme-pr-42", repository: "acme/warehouse", pullRequest: 42, commit: SHA, expiresAt: new Date("2026-11-28T18:00:00.123Z") });
    expect(tagMap(tags)).toEqual({
      "shadowops:environment": "acme-pr-42",
      "shadowops:repository": "acme/warehouse",
      "shadowops:pull-request": "42",
      "shadowops:commit": SHA,
      "shadowops:expires-at": "2026-11-28T18:00:00Z",
    });
  });

  it.each([
    ["2026-11-28T18:00:00Z", "2026-11-28T18:00:00.000Z"],
    ["2026-11-28T18:00Z", "2026-11-28T18:00:00.000Z"],
    ["2026-11-28T19:30:00+01:30", "2026-11-28T18:00:00.000Z"],
    ["2026-11-28T18:00:00.5Z", "2026-11-28T18:00:00.500Z"],
  ])("reads expires-at %j", (text, iso) => {
    expect(parseExpiresAt(text).toISOString()).toBe(iso);
  });

  it.each(["tomorrow", "2026-11-28", "2026-11-28T18:00:00", "2026-13-40T25:00:00Z", "1764352800", ""])("refuses expires-at %j with what to write instead", (text) => {
    expect(() => parseExpiresAt(text, "--expires-at")).toThrow(InvalidExpiresAtError);
    expect(() => parseExpiresAt(text, "--expires-at")).toThrow(/--expires-at: .* Use an ISO 8601 UTC time such as 2026-11-28T18:00:00Z/);
  });

  it("formats expiries in UTC to the second", () => {
    expect(formatExpiresAt(new Date("2026-11-28T18:00:00.999Z"))).toBe("2026-11-28T18:00:00Z");
  });

  it("checks the pull request metadata with the template's patterns", () => {
    expect(validateMetadata({ repository: "acme/warehouse", pullRequest: "42", commit: SHA.toUpperCase() })).toEqual({
      repository: "acme/warehouse",
      pullRequest: 42,
      commit: SHA,
    });
    expect(() => validateMetadata({})).toThrow(/missing the repository .*, the pull request .*, the commit/);
    expect(() => validateMetadata({ repository: "warehouse", pullRequest: 1, commit: SHA })).toThrow(/owner\/name/);
    expect(() => validateMetadata({ repository: "a/b", pullRequest: "0", commit: SHA })).toThrow(/positive whole number/);
    expect(() => validateMetadata({ repository: "a/b", pullRequest: 1, commit: "main" })).toThrow(InvalidShadowMetadataError);
  });
});
