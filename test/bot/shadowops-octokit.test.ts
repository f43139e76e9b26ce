import nock from "nock";
import { describe, expect, it } from "vitest";
import { ShadowOpsOctokit, WRITE_BURST } from "../../src/bot/github/shadowops-octokit.js";
import { GITHUB_API, useNockGuards } from "./support/bot-harness.js";

useNockGuards();

describe("the Octokit npm start gives Probot", () => {
  it("sends a command's writes together instead of one a second, still throttled", async () => {
    const octokit = new ShadowOpsOctokit({ auth: { token: "t" }, throttle: { id: "installation-1" } });
    expect((octokit as unknown as { throttle?: unknown }).throttle ?? "plugin active").toBeTruthy();
    nock(GITHUB_API).post("/repos/o/r/check-runs").times(6).reply(201, { id: 1 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "a".repeat(40) })));
    expect(Date.now() - started).toBeLessThan(900);
    expect(WRITE_BURST).toBeGreaterThanOrEqual(6);
  });
});
