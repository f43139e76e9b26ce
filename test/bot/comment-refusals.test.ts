import nock from "nock";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_CHECK_NAME } from "../../src/bot/github/check-runs.js";
import { createTestBot, ENVIRONMENT, github, HEAD_SHA, installationToken, REPO, useNockGuards } from "./support/bot-harness.js";
import { triggerOAuthPipeline } from "./support/circleci-mocks.js";
import {
  configFile,
  createChecks,
  createDeployment,
  eyes,
  firstStickyComment,
  permission,
  pullRequest,
  replyComment,
} from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { prComment } from "./support/webhook-examples.js";

useNockGuards();

/** Mocks for the look-ups every test/extend/destroy command makes. */
type Role = Parameters<typeof permission>[1];

function lookups({ config = "", role = "write" as Role, fork = false, author = "Codertocat", login = "Codertocat" } = {}) {
  installationToken();
  eyes();
  configFile(config);
  permission(login, role);
  pullRequest({ fork, author });
}

describe("refusals, explained in a reply", () => {
  it("refuses a user without write access", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    lookups({ role: "read", login: "visitor" });
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow test", { login: "visitor" }));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("need write, maintain or admin permission");
    expect(replies[0]).toContain("visitor has read");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("refuses the author of a fork PR, even when in an allowed team", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    lookups({ role: "read", fork: true, author: "forker", login: "forker", config: "allowed_teams: [data-engineering]\n" });
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow test", { login: "forker" }));
    expect(replies[0]).toContain("comes from a fork");
    expect(replies[0]).toContain("only a maintainer");
  });

  it("lets a member of an allowed team run a test on a PR from the same repository", async () => {
    const bot = await createTestBot();
    lookups({ role: "read", login: "analyst", config: "allowed_teams: [data-engineering]\n" });
    github().get("/orgs/Codertocat/teams/data-engineering/memberships/analyst").reply(200, { state: "active", role: "member" });
    createChecks([], 1);
    createDeployment([]);
    triggerOAuthPipeline([]);
    firstStickyComment([]);
    await bot.receive("issue_comment", prComment("/shadow test", { login: "analyst" }));
    expect(bot.store.getEnvironment(ENVIRONMENT)?.requestedBy).toBe("analyst");
  });

  it("fails the environment check and replies with each path and reason of an invalid config", async () => {
    const bot = await createTestBot();
    const checks: any[] = [];
    const replies: string[] = [];
    lookups({ config: "ttl:\n  max: forever\ndags: [ok, 'not ok']\nlabels: shadow\n" });
    createChecks(checks, 1);
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow test"));
    expect(checks[0]).toMatchObject({ name: ENVIRONMENT_CHECK_NAME, head_sha: HEAD_SHA, status: "completed", conclusion: "failure" });
    expect(checks[0].output.title).toBe("Invalid .github/shadowops.yml");
    for (const text of [checks[0].output.summary, replies[0]]) {
      expect(text).toContain("<code>ttl.max</code>");
      expect(text).toContain("not a duration");
      expect(text).toContain("<code>dags.1</code>");
      expect(text).toContain("<code>labels</code> | unknown setting");
    }
  });

  it("fails the check for a config file that is not YAML", async () => {
    const bot = await createTestBot();
    const checks: any[] = [];
    lookups({ config: "ttl: [unclosed\n" });
    createChecks(checks, 1);
    replyComment([]);
    await bot.receive("issue_comment", prComment("/shadow test"));
    expect(checks[0].output.summary).toContain("<code>(file)</code>");
    expect(checks[0].output.summary).toContain("invalid YAML");
  });

  it("refuses a new environment when the repository has as many live ones as allowed", async () => {
    const bot = await createTestBot();
    for (const pullNumber of [10, 11]) seedEnvironment(bot.store, { pullNumber });
    seedEnvironment(bot.store, { pullNumber: 12, state: "destroyed" });
    const replies: string[] = [];
    lookups({ config: "max_live_environments: 2\n" });
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow test"));
    expect(replies[0]).toContain("already has 2 live shadows");
    expect(replies[0]).toContain("(2)");
  });

  it.each([
    ["/shadow test --ttl 3d", "", "longer than this repository allows"],
    ["/shadow test --dag other_dag", "dags: [sales_daily]\n", "not one of the DAGs this repository allows"],
  ])("refuses %j", async (body, config, text) => {
    const bot = await createTestBot();
    const replies: string[] = [];
    lookups({ config });
    replyComment(replies);
    await bot.receive("issue_comment", prComment(body));
    expect(replies[0]).toContain(text);
  });

  it("refuses a second test while one is running", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "migrating", phase: "migrating" });
    const replies: string[] = [];
    lookups();
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow test"));
    expect(replies[0]).toContain("is busy (migrating");
  });

  it("refuses on a closed PR", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    eyes();
    configFile("");
    permission("Codertocat", "admin");
    pullRequest({ state: "closed" });
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow test"));
    expect(replies[0]).toContain("closed");
  });
});

describe("comments that are not commands", () => {
  it.each(["LGTM!", "> /shadow test\nwhy did this fail?", "/shadows test"])("ignores %j without a single request", async (body) => {
    const bot = await createTestBot();
    await bot.receive("issue_comment", prComment(body));
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("ignores commands from bots", async () => {
    const bot = await createTestBot();
    await bot.receive("issue_comment", prComment("/shadow test", { login: "shadowops[bot]", type: "Bot" }));
  });

  it("answers a near miss with did-you-mean and the command table", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    configFile(null);
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow tset --ttl 2h"));
    expect(replies[0]).toContain("<code>/shadow tset</code> is not a ShadowOps command. Did you mean <code>/shadow test</code>?");
    expect(replies[0]).toContain("| <code>/shadow extend DURATION</code> |");
    expect(replies[0]).toContain("<code>/shadow test [--dag ID] [--snapshot latest&#124;ID&#124;none] [--ttl DURATION]</code>");
    expect(replies[0]).toContain("Adding the shadow label");
  });

  it("answers /shadow help with 👀 and the command table", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    eyes();
    configFile("label: run-shadow\n");
    replyComment(replies);
    await bot.receive("issue_comment", prComment("/shadow help"));
    expect(replies[0]).toContain("#### ShadowOps commands");
    expect(replies[0]).toContain("Adding the run-shadow label");
  });

  it("says commands only work on pull requests", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    github()
      .post(`${REPO}/issues/1/comments`, (body: { body: string }) => {
        replies.push(body.body);
        return true;
      })
      .reply(201, { id: 1 });
    const payload = prComment("/shadow test");
    delete payload.issue.pull_request;
    payload.issue.number = 1;
    await bot.receive("issue_comment", payload);
    expect(replies[0]).toContain("pull requests only");
  });

  it("does nothing for a redelivered webhook", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile(null);
    replyComment([]);
    const payload = prComment("/shadow tset");
    await bot.receive("issue_comment", payload, "same-delivery");
    await bot.receive("issue_comment", payload, "same-delivery");
  });
});
