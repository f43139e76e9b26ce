import { setTimeout as delay } from "node:timers/promises";
import type { PipelineParameters } from "./pipeline-parameters.js";

export const DEFAULT_CIRCLECI_API_URL = "https://circleci.com/api/v2";

export interface CircleCiProject {
  /** "circleci/ORG-ID/PROJECT-ID" (GitHub App) or "gh/OWNER/REPO" (OAuth). */
  slug: string;
  /** Set for GitHub App projects: selects POST /project/{slug}/pipeline/run. */
  definitionId: string | null;
}

export interface TriggerPipelineParams {
  project: CircleCiProject;
  parameters: PipelineParameters;
  /** Branch whose .circleci/config.yml runs: the PR's base branch, never the PR's own code. */
  configBranch: string;
  /** Ref the checkout step fetches: "pull/N/head"; the orb then checks out shadowops_commit. */
  checkoutBranch: string;
}

export interface TriggeredPipeline {
  id: string;
  number: number | null;
}

/** What went wrong with a trigger, for the person who set ShadowOps up (rendered by templates/bot/failure-reason.hbs). */
export type CircleCiProblem =
  | { kind: "no-token"; slug: string }
  | { kind: "token-rejected"; status: number; message: string; slug: string }
  | { kind: "project-not-found"; status: number; message: string; slug: string }
  | { kind: "pipeline-refused"; status: number; message: string; slug: string; definitionId: string | null }
  /** 429 or 5xx (status), or no answer at all (status null), on every attempt. */
  | { kind: "unavailable"; status: number | null; message: string; apiUrl: string; attempts: number }
  | { kind: "no-pipeline-id" };

/** CircleCI refused a trigger (4xx) or kept failing (429, 5xx, network) after the retries. */
export class CircleCiError extends Error {
  constructor(readonly problem: CircleCiProblem) {
    super(`CircleCI trigger failed: ${JSON.stringify(problem)}`);
    this.name = "CircleCiError";
  }
}

export interface CircleCiClientParams {
  token: string;
  apiUrl?: string;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts on 429, 5xx and network errors, the first included. */
  attempts?: number;
  /** First backoff; doubled each retry (Retry-After wins when CircleCI sends it). */
  baseDelayMs?: number;
}

/** CircleCI API v2: triggers the orb's pipeline for GitHub App and OAuth projects. */
export function createCircleCiClient({
  token,
  apiUrl = DEFAULT_CIRCLECI_API_URL,
  fetch = globalThis.fetch,
  sleep = delay,
  attempts = 4,
  baseDelayMs = 500,
}: CircleCiClientParams) {
  const base = apiUrl.replace(/\/+$/, "");

  async function post(path: string, body: unknown, project: CircleCiProject): Promise<unknown> {
    if (token === "") throw new CircleCiError({ kind: "no-token", slug: project.slug });
    let last = { status: null as number | null, message: "" };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", "Circle-Token": token },
          body: JSON.stringify(body),
        });
      } catch (error) {
        last = { status: null, message: error instanceof Error ? error.message : String(error) };
        if (attempt < attempts) await sleep(backoff(attempt, null));
        continue;
      }
      const text = await response.text();
      if (response.ok) return text === "" ? {} : JSON.parse(text);
      const message = messageOf(text);
      if (response.status === 429 || response.status >= 500) {
        last = { status: response.status, message };
        if (attempt < attempts) await sleep(backoff(attempt, response.headers.get("retry-after")));
        continue;
      }
      throw new CircleCiError(refusal(response.status, message, project));
    }
    throw new CircleCiError({ kind: "unavailable", ...last, apiUrl: base, attempts });
  }

  function backoff(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1_000, 60_000);
    return baseDelayMs * 2 ** (attempt - 1);
  }

  return {
    async triggerPipeline({ project, parameters, configBranch, checkoutBranch }: TriggerPipelineParams): Promise<TriggeredPipeline> {
      const slug = project.slug.split("/").map(encodeURIComponent).join("/");
      const result = project.definitionId
        ? await post(
            `/project/${slug}/pipeline/run`,
            { definition_id: project.definitionId, config: { branch: configBranch }, checkout: { branch: checkoutBranch }, parameters },
            project,
          )
        : await post(`/project/${slug}/pipeline`, { branch: configBranch, parameters }, project);
      const { id, number } = (result ?? {}) as { id?: unknown; number?: unknown };
      if (typeof id !== "string") throw new CircleCiError({ kind: "no-pipeline-id" });
      return { id, number: typeof number === "number" ? number : null };
    },
  };
}

export type CircleCiClient = ReturnType<typeof createCircleCiClient>;

function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}

function refusal(status: number, message: string, project: CircleCiProject): CircleCiProblem {
  if (status === 401 || status === 403) return { kind: "token-rejected", status, message, slug: project.slug };
  if (status === 404) return { kind: "project-not-found", status, message, slug: project.slug };
  return { kind: "pipeline-refused", status, message, slug: project.slug, definitionId: project.definitionId };
}
