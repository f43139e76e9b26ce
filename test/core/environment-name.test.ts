import { describe, expect, it } from "vitest";
import {
  assertEnvironmentName,
  databaseNameFor,
  environmentNameForPullRequest,
} from "../../src/core/environment-name.js";

describe("environment names", () => {
  it.each([
    ["local", true],
    ["pr-42", true],
    ["a", true],
    ["Local", false],
    ["42-pr", false],
    ["pr_42", false],
    ["pr-", false],
    ["pr--42", false],
    ["x".repeat(41), false],
    ["", false],
  ])("%j valid: %s", (name, valid) => {
    if (valid) expect(assertEnvironmentName(name)).toBe(name);
    else expect(() => assertEnvironmentName(name)).toThrow(/not a valid environment name/);
  });

  it.each([
    ["acme/pipelines", 42, "acme-pipelines-pr-42"],
    ["Acme/Data.Pipelines", 7, "acme-data-pipelines-pr-7"],
    ["123org/etl", 1, "org-etl-pr-1"],
  ])("%s #%d → %s", (repo, pr, expected) => {
    expect(environmentNameForPullRequest(repo, pr)).toBe(expected);
  });

  it("keeps long repository names within 40 characters and apart from each other", () => {
    const a = environmentNameForPullRequest("a-very-long-organisation-name/with-a-long-repository-a", 12345);
    const b = environmentNameForPullRequest("a-very-long-organisation-name/with-a-long-repository-b", 12345);
    expect(a.length).toBeLessThanOrEqual(40);
    expect(a).toMatch(/-pr-12345$/);
    expect(a).not.toBe(b);
    expect(environmentNameForPullRequest("a-very-long-organisation-name/with-a-long-repository-a", 12345)).toBe(a);
  });

  it("maps to a plain SQL identifier for the local warehouse", () => {
    expect(databaseNameFor("pr-42")).toBe("shadow_pr_42");
  });
});
