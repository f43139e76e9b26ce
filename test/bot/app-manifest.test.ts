import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../../src/package-root.js";
import { ACTION_LIMITS, CHECK_ACTION_IDS, checkActions } from "../../src/bot/github/check-actions.js";

describe("app.yml, the GitHub App manifest", () => {
  const manifest = parse(readFileSync(join(PACKAGE_ROOT, "app.yml"), "utf8")) as Record<string, any>;

  it("asks for the least permissions the features use, and the events they handle", () => {
    expect(manifest.default_permissions).toEqual({
      checks: "write",
      pull_requests: "write",
      issues: "write",
      deployments: "write",
      contents: "read",
      metadata: "read",
      members: "read",
    });
    expect(manifest.default_events).toEqual(["issue_comment", "pull_request", "check_run", "check_suite", "push", "repository"]);
    expect(manifest.public).toBe(false);
  });

  it("has no apostrophe, which would break Probot's setup page (it quotes the manifest with ')", () => {
    expect(JSON.stringify(manifest)).not.toContain("'");
  });
});

describe("check run buttons", () => {
  it("stay within GitHub's limits for every TTL label", () => {
    for (const extendBy of ["4h", "1d23h59m", "23h59m59s"]) {
      const actions = checkActions(CHECK_ACTION_IDS, extendBy);
      expect(actions.length).toBeLessThanOrEqual(ACTION_LIMITS.count);
      for (const action of actions) {
        expect(action.label.length).toBeLessThanOrEqual(ACTION_LIMITS.label);
        expect(action.description.length).toBeLessThanOrEqual(ACTION_LIMITS.description);
        expect(action.identifier.length).toBeLessThanOrEqual(ACTION_LIMITS.identifier);
      }
    }
  });
});
