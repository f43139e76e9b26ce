import nock from "nock";
import { CIRCLECI_API, CIRCLECI_TOKEN } from "./bot-harness.js";

export const PIPELINE_ID = "5034460f-c7c4-4c43-9457-de07e2029e7b";

/** POST /project/gh/Codertocat/Hello-World/pipeline (an OAuth project, the default slug). */
export function triggerOAuthPipeline(bodies: any[], reply: { status?: number; body?: object } = {}, slug = "gh/Codertocat/Hello-World"): nock.Scope {
  return nock(CIRCLECI_API, { reqheaders: { "circle-token": CIRCLECI_TOKEN } })
    .post(`/project/${slug}/pipeline`, (body: unknown) => {
      bodies.push(body);
      return true;
    })
    .reply(reply.status ?? 201, reply.body ?? { id: PIPELINE_ID, number: 42, state: "pending", created_at: "2025-01-14T09:00:01Z" });
}

/** POST /project/circleci/ORG/PROJECT/pipeline/run (a GitHub App project). */
export function triggerPipelineRun(bodies: any[], slug: string, reply: { status?: number; body?: object } = {}): nock.Scope {
  return nock(CIRCLECI_API, { reqheaders: { "circle-token": CIRCLECI_TOKEN } })
    .post(`/project/${slug}/pipeline/run`, (body: unknown) => {
      bodies.push(body);
      return true;
    })
    .reply(reply.status ?? 201, reply.body ?? { id: PIPELINE_ID, number: 42, state: "created", created_at: "2025-01-14T09:00:01Z" });
}
