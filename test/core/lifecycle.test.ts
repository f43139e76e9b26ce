import { describe, expect, it } from "vitest";
import { ENVIRONMENT_STATES, IllegalTransitionError, canTransition, transition } from "../../src/core/lifecycle.js";

describe("environment lifecycle", () => {
  it("walks the happy path of a shadow test", () => {
    const path = ["requested", "provisioning", "configuring", "migrating", "running", "passed", "destroying", "destroyed"] as const;
    for (let i = 1; i < path.length; i++) expect(transition(path[i - 1]!, path[i]!)).toBe(path[i]);
  });

  it.each([
    ["passed", "configuring", true],
    ["failed", "configuring", true],
    ["destroying", "destroying", true],
    ["destroyed", "provisioning", false],
    ["running", "migrating", false],
    ["requested", "passed", false],
  ] as const)("%s → %s allowed: %s", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it("lets every live state be destroyed, and nothing leave destroyed", () => {
    for (const state of ENVIRONMENT_STATES) {
      if (state === "destroyed") continue;
      expect(canTransition(state, "destroying")).toBe(true);
    }
    expect(() => transition("destroyed", "configuring")).toThrow(IllegalTransitionError);
    expect(() => transition("destroyed", "configuring")).toThrow(/cannot go from destroyed to configuring/);
  });
});
