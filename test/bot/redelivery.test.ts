import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import type { DeliveryAttempt } from "../../src/bot/github/webhook-deliveries.js";
import { attemptsToRedeliver, MAX_DELIVERY_ATTEMPTS, redeliverFailedWebhooks } from "../../src/bot/runner/redeliver-failed-webhooks.js";
import { createTestBot, github, START, useNockGuards, type TestBot } from "./support/bot-harness.js";

useNockGuards();

const MINUTE = 60_000;

function attempt(guid: string, minutesAgo: number, statusCode: number, id = Math.round(minutesAgo * 1_000) + statusCode): DeliveryAttempt {
  return { id, guid, deliveredAt: START - minutesAgo * MINUTE, statusCode, event: "issue_comment", action: "created" };
}

describe("which failed webhooks are asked for again", () => {
  const nothingHandled = () => false;

  it("one that no attempt delivered, by its latest attempt, oldest webhook first", () => {
    const due = attemptsToRedeliver(
      [attempt("late", 1, 500, 11), attempt("early", 9, 0, 21), attempt("late", 4, 502, 12), attempt("fine", 2, 200, 31)],
      nothingHandled,
    );
    expect(due.map((each) => [each.guid, each.id])).toEqual([
      ["early", 21],
      ["late", 11],
    ]);
  });

  it("not one that an attempt delivered: a 2xx, a 3xx, or a redelivery that succeeded", () => {
    expect(attemptsToRedeliver([attempt("a", 3, 204), attempt("b", 3, 302), attempt("c", 5, 0), attempt("c", 1, 200)], nothingHandled)).toEqual([]);
  });

  it("not one the bot handled although GitHub had stopped waiting for the answer", () => {
    expect(attemptsToRedeliver([attempt("slow", 2, 0), attempt("lost", 2, 0)], (guid) => guid === "slow").map((each) => each.guid)).toEqual(["lost"]);
  });

  it(`not one that failed ${MAX_DELIVERY_ATTEMPTS} times (a webhook the bot cannot handle is not asked for forever)`, () => {
    const failing = Array.from({ length: MAX_DELIVERY_ATTEMPTS }, (_, index) => attempt("broken", index + 1, 500));
    expect(attemptsToRedeliver(failing, nothingHandled)).toEqual([]);
    expect(attemptsToRedeliver(failing.slice(1), nothingHandled)).toHaveLength(1);
  });
});

/** One item of GET /app/hook/deliveries, with every field GitHub's description requires. */
function listed(id: number, guid: string, minutesAgo: number, statusCode: number, redelivery = false) {
  return {
    id,
    guid,
    delivered_at: new Date(START - minutesAgo * MINUTE).toISOString(),
    redelivery,
    duration: statusCode === 0 ? 10 : 0.2,
    status: statusCode === 0 ? "timed out" : statusCode < 400 ? "OK" : "Internal Server Error",
    status_code: statusCode,
    event: "issue_comment",
    action: "created",
    installation_id: 1,
    repository_id: 1_296_269,
  };
}

const NEXT_PAGE = '<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_page2>; rel="next"';

/** GitHub's list of deliveries, asked with the app's JWT (not an installation token). */
function deliveries(pages: unknown[][]): nock.Scope {
  const scope = github();
  pages.forEach((items, index) => {
    scope
      .get("/app/hook/deliveries")
      .matchHeader("authorization", /^bearer [\w-]+\.[\w-]+\.[\w-]+$/)
      .query(index === 0 ? { per_page: "100" } : { per_page: "100", cursor: "v1_page2" })
      .reply(200, items, index < pages.length - 1 ? { link: NEXT_PAGE } : {});
  });
  return scope;
}

/** `times` POSTs of a redelivery (any attempt id), recorded in `asked`. */
function redeliveries(asked: number[], times: number, status = 202): nock.Scope {
  return github()
    .post(/^\/app\/hook\/deliveries\/\d+\/attempts$/)
    .matchHeader("authorization", /^bearer /)
    .times(times)
    .reply((uri) => {
      asked.push(Number(/deliveries\/(\d+)\//.exec(uri)![1]));
      return [status, status === 202 ? {} : { message: "Validation Failed" }];
    });
}

async function sweep(bot: TestBot): Promise<string[]> {
  return redeliverFailedWebhooks({ appOctokit: await bot.probot.auth(), store: bot.store, log: bot.services.log, now: () => bot.clock.now });
}

describe("the redelivery sweep against GitHub's API", () => {
  it("asks GitHub to redeliver what failed while the bot was down, across pages, and leaves what it handled", async () => {
    const bot = await createTestBot();
    bot.store.claimDelivery("github:handled-but-timed-out");
    deliveries([
      [listed(5, "ok", 1, 200), listed(4, "down-1", 20, 0), listed(3, "handled-but-timed-out", 25, 0)],
      [listed(2, "down-2", 40, 502), listed(1, "too-old-for-a-first-sweep", 61, 0)],
    ]);
    const asked: number[] = [];
    redeliveries(asked, 2);

    expect(await sweep(bot)).toEqual(["down-2", "down-1"]);
    expect(asked).toEqual([2, 4]);
  });

  it("looks back only to the last sweep (with an overlap), without reading further pages", async () => {
    const bot = await createTestBot();
    deliveries([[]]);
    await sweep(bot);

    bot.clock.now = START + 5 * MINUTE;
    // Relative to START: 4 min after it is new; 11 min before it is older than the last sweep's 10 min overlap.
    github()
      .get("/app/hook/deliveries")
      .query({ per_page: "100" })
      .reply(200, [listed(9, "new-failure", -4, 500), listed(8, "before-the-last-sweep", 11, 500)], { link: NEXT_PAGE });
    const secondPage = github().get("/app/hook/deliveries").query({ per_page: "100", cursor: "v1_page2" });
    const trap = secondPage.reply(200, [listed(7, "older-still", 12, 500)]);
    const asked: number[] = [];
    redeliveries(asked, 1);
    expect(await sweep(bot)).toEqual(["new-failure"]);
    expect(asked).toEqual([9]);
    expect(trap.isDone(), "the second page was read").toBe(false);
    nock.removeInterceptor(secondPage);
  });

  it("goes on when GitHub refuses one redelivery, and keeps the sweep's time", async () => {
    const bot = await createTestBot();
    deliveries([[listed(7, "a", 2, 500), listed(6, "b", 3, 500)]]);
    const asked: number[] = [];
    redeliveries(asked, 2, 422);
    expect(await sweep(bot)).toEqual([]);
    expect(asked).toEqual([6, 7]);
    expect(bot.store.sweepMark("webhook-redelivery")).toBe(START);
  });

  it("runs on its own once the app is loaded", async () => {
    deliveries([[listed(3, "lost-while-restarting", 2, 0)]]);
    const asked: number[] = [];
    redeliveries(asked, 1);
    await createTestBot({ redelivery: { firstAfterMs: 10, everyMs: 3_600_000 } });
    await vi.waitFor(() => expect(asked).toEqual([3]), { timeout: 5_000 });
  });
});
