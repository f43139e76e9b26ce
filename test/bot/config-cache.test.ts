import { describe, expect, it } from "vitest";
import { createConfigCache } from "../../src/bot/config/config-cache.js";
import { createTestBot, installationToken, useNockGuards } from "./support/bot-harness.js";
import { configFile, eyes, replyComment } from "./support/github-mocks.js";
import { prComment, pushPayload } from "./support/webhook-examples.js";

useNockGuards();

/** `/shadow help` names the configured label: the cheapest command that shows which config it read. */
async function helpReply(bot: Awaited<ReturnType<typeof createTestBot>>): Promise<string> {
  const replies: string[] = [];
  eyes();
  replyComment(replies);
  await bot.receive("issue_comment", prComment("/shadow help"));
  expect(replies).toHaveLength(1);
  return replies[0]!;
}

describe(".github/shadowops.yml between commands", () => {
  it("is read once, and again on the next command after a push to the default branch changed it", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile("label: shadow-first\n");
    expect(await helpReply(bot)).toContain("shadow-first");
    // No config mock: a second read would be a request no mock matches (the guards fail the test).
    expect(await helpReply(bot)).toContain("shadow-first");

    await bot.receive("push", pushPayload("refs/heads/some-feature"));
    expect(await helpReply(bot)).toContain("shadow-first");

    await bot.receive("push", pushPayload("refs/heads/master"));
    configFile("label: shadow-second\n");
    const after = await helpReply(bot);
    expect(after).toContain("shadow-second");
    expect(after).not.toContain("shadow-first");
  });

  it("remembers a repository without one (the defaults) like any other config", async () => {
    const bot = await createTestBot();
    installationToken();
    const replies: string[] = [];
    eyes();
    replyComment(replies);
    configFile(null); // neither the repository nor the organization has one: defaults
    await bot.receive("issue_comment", prComment("/shadow help"));
    expect(replies[0]).toContain("shadow");
    // A 404 is a config (the defaults), so it is remembered like one.
    expect(await helpReply(bot)).toContain("shadow");
  });
});

describe("the config cache", () => {
  it("reads again after its maximum age, and forgets a failed read", async () => {
    let now = 0;
    const cache = createConfigCache({ now: () => now, maxAgeMs: 1_000 });
    let reads = 0;
    const read = async () => ({ label: `read-${(reads += 1)}` });
    expect(await cache.get("o", "r", read)).toEqual({ label: "read-1" });
    now = 999;
    expect(await cache.get("O", "R", read)).toEqual({ label: "read-1" });
    now = 1_000;
    expect(await cache.get("o", "r", read)).toEqual({ label: "read-2" });

    await expect(cache.get("o", "broken", async () => Promise.reject(new Error("GitHub is down")))).rejects.toThrow("GitHub is down");
    expect(await cache.get("o", "broken", read)).toEqual({ label: "read-3" });
  });

  it("shares one read between commands that arrive meanwhile, and drops a read a push overtook", async () => {
    const cache = createConfigCache({ now: () => 0 });
    let release!: (value: unknown) => void;
    let reads = 0;
    const slow = () => {
      reads += 1;
      return new Promise((resolve) => (release = resolve));
    };
    const first = cache.get("o", "r", slow);
    const second = cache.get("o", "r", slow);
    expect(reads).toBe(1);
    cache.invalidateOwner("O");
    release({ label: "old" });
    expect(await first).toEqual({ label: "old" });
    expect(await second).toEqual({ label: "old" });
    expect(await cache.get("o", "r", async () => ({ label: "new" }))).toEqual({ label: "new" });
  });
});
