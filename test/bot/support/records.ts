import { environmentNameForPullRequest } from "../../../src/core/environment-name.js";
import type { BotStore } from "../../../src/bot/store/bot-store.js";
import type { EnvironmentRecord } from "../../../src/bot/store/environment-record.js";
import { ENVIRONMENT, HEAD_SHA, START } from "./bot-harness.js";
import { PIPELINE_ID } from "./circleci-mocks.js";
import { INSTALLATION_ID } from "./webhook-examples.js";

/** A live environment of Codertocat/Hello-World#2 (or another PR), as a started test leaves it. */
export function environmentRecord(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  const pullNumber = overrides.pullNumber ?? 2;
  const id = pullNumber === 2 ? ENVIRONMENT : environmentNameForPullRequest("Codertocat/Hello-World", pullNumber);
  return {
    id,
    installationId: INSTALLATION_ID,
    owner: "Codertocat",
    repo: "Hello-World",
    pullNumber,
    headSha: HEAD_SHA,
    baseRef: "master",
    isFork: false,
    state: "running",
    phase: "running",
    dag: "sales_daily",
    snapshot: "latest",
    ttlMs: 4 * 3_600_000,
    requestedBy: "Codertocat",
    createdAt: START,
    updatedAt: START,
    liveSince: START,
    expiresAt: START + 4 * 3_600_000,
    project: { slug: "gh/Codertocat/Hello-World", definitionId: null },
    pipeline: { id: PIPELINE_ID, number: 42, url: "https://app.circleci.com/pipelines/github/Codertocat/Hello-World/42", action: "test", environmentId: id, headSha: HEAD_SHA },
    environmentCheck: { id: 100, status: "completed", headSha: HEAD_SHA },
    deploymentId: 700,
    deploymentState: "success",
    commentId: 800,
    airflowUrl: "http://203.0.113.10:8080/",
    costPerHourUsd: null,
    migrations: null,
    failure: null,
    lastDagId: null,
    endedAt: null,
    ...overrides,
  };
}

export function seedEnvironment(store: BotStore, overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  const record = environmentRecord(overrides);
  store.putEnvironment(record);
  if (record.pipeline) store.putPipeline(record.pipeline);
  return record;
}
