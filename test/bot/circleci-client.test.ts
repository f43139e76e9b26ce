import { describe, expect, it } from "vitest";
import { CircleCiError, createCircleCiClient, type CircleCiProject } from "../../src/bot/circleci/circleci-client.js";
import { formatTtl, PIPELINE_PARAMETER_NAMES, type PipelineParameters } from "../../src/bot/circleci/pipeline-parameters.js";
import { failureReason } from "../../src/bot/render/failure-reason.js";

const parameters: PipelineParameters = {
  shadowops_action: "test",
  shadowops_environment: "acme-sales-pr-42",
  shadowops_repository: "acme/sales",
  shadowops_pull_request: 42,
  shadowops_commit: "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
  shadowops_dag: "sales_daily",
  shadowops_snapshot: "latest",
  shadowops_ttl: "4h",
};
const oauth: CircleCiProject = { slug: "gh/acme/sales", definitionId: null };
const app: CircleCiProject = { slug: "circleci/org-id/project-id", definitionId: "2f0d9d4a-5b6c-4d7e-8f90-a1b2c3d4e5f6" };

/** A fetch that answers from a script and records what it was asked. */
function scriptedFetch(answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new Error("no more answers");
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

async function problemOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CircleCiError);
  return (error as CircleCiError).problem;
}

describe("CircleCI client", () => {
  it("triggers an OAuth project with branch and parameters, authenticated with Circle-Token", async () => {
    const { fetch, calls } = scriptedFetch([json(201, { id: "p-1", number: 7, state: "pending" })]);
    const client = createCircleCiClient({ token: "secret-token", apiUrl: "https://circleci.example/api/v2/", fetch });
    const pipeline = await client.triggerPipeline({ project: oauth, parameters, configBranch: "main", checkoutBranch: "pull/42/head" });
    expect(pipeline).toEqual({ id: "p-1", number: 7 });
    expect(calls[0]!.url).toBe("https://circleci.example/api/v2/project/gh/acme/sales/pipeline");
    expect(new Headers(calls[0]!.init.headers).get("circle-token")).toBe("secret-token");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ branch: "main", parameters });
  });

  it("triggers a GitHub App project through pipeline/run with the definition id", async () => {
    const { fetch, calls } = scriptedFetch([json(201, { id: "p-2", number: 8 })]);
    const client = createCircleCiClient({ token: "t", fetch });
    await client.triggerPipeline({ project: app, parameters, configBranch: "main", checkoutBranch: "pull/42/head" });
    expect(calls[0]!.url).toBe("https://circleci.com/api/v2/project/circleci/org-id/project-id/pipeline/run");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      definition_id: app.definitionId,
      config: { branch: "main" },
      checkout: { branch: "pull/42/head" },
      parameters,
    });
  });

  it("retries 429 and 5xx with backoff (Retry-After wins) and network errors, then succeeds", async () => {
    const sleeps: number[] = [];
    const { fetch, calls } = scriptedFetch([
      json(429, { message: "slow down" }, { "retry-after": "3" }),
      json(502, { message: "bad gateway" }),
      new TypeError("fetch failed"),
      json(201, { id: "p-3", number: 9 }),
    ]);
    const client = createCircleCiClient({ token: "t", fetch, sleep: async (ms) => void sleeps.push(ms), baseDelayMs: 100 });
    await expect(client.triggerPipeline({ project: oauth, parameters, configBranch: "main", checkoutBranch: "x" })).resolves.toEqual({ id: "p-3", number: 9 });
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([3_000, 200, 400]);
  });

  it("gives up after the last attempt and says CircleCI is unavailable", async () => {
    const { fetch } = scriptedFetch([json(503, {}), json(503, {}), json(503, { message: "maintenance" })]);
    const client = createCircleCiClient({ token: "t", fetch, sleep: async () => {}, attempts: 3 });
    const problem = await problemOf(client.triggerPipeline({ project: oauth, parameters, configBranch: "main", checkoutBranch: "x" }));
    expect(problem).toEqual({ kind: "unavailable", status: 503, message: "maintenance", apiUrl: "https://circleci.com/api/v2", attempts: 3 });
    expect(failureReason(problem)).toContain("did not take the pipeline after 3 attempts");
  });

  it.each([
    [401, oauth, "token-rejected", "CIRCLECI_TOKEN"],
    [403, oauth, "token-rejected", "CIRCLECI_TOKEN"],
    [404, oauth, "project-not-found", "circleci.project_slug"],
    [400, app, "pipeline-refused", "circleci.definition_id (2f0d9d4a-5b6c-4d7e-8f90-a1b2c3d4e5f6)"],
    [400, oauth, "pipeline-refused", "needs circleci.definition_id"],
  ] as const)("does not retry a %i and explains what to fix", async (status, project, kind, hint) => {
    const { fetch, calls } = scriptedFetch([json(status, { message: "nope" })]);
    const client = createCircleCiClient({ token: "t", fetch, sleep: async () => {} });
    const problem = await problemOf(client.triggerPipeline({ project, parameters, configBranch: "main", checkoutBranch: "x" }));
    expect(calls).toHaveLength(1);
    expect(problem.kind).toBe(kind);
    expect(failureReason(problem)).toContain(hint);
    expect(failureReason(problem)).toContain('"nope"');
  });

  it("refuses to call without a token", async () => {
    const { fetch, calls } = scriptedFetch([]);
    const problem = await problemOf(createCircleCiClient({ token: "", fetch }).triggerPipeline({ project: oauth, parameters, configBranch: "m", checkoutBranch: "x" }));
    expect(problem).toEqual({ kind: "no-token", slug: "gh/acme/sales" });
    expect(calls).toHaveLength(0);
  });

  it("names its parameters snake_case with a shadowops_ prefix, and formats TTLs parseDuration reads back", () => {
    expect(PIPELINE_PARAMETER_NAMES).toEqual([
      "shadowops_action",
      "shadowops_environment",
      "shadowops_repository",
      "shadowops_pull_request",
      "shadowops_commit",
      "shadowops_dag",
      "shadowops_snapshot",
      "shadowops_ttl",
    ]);
    expect(Object.keys(parameters)).toEqual([...PIPELINE_PARAMETER_NAMES]);
    expect([formatTtl(4 * 3_600_000), formatTtl(5_400_000), formatTtl(90_061_000), formatTtl(1)]).toEqual(["4h", "1h30m", "1d1h1m1s", "1m"]);
  });
});
