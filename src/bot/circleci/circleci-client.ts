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

/** CircleCI answered with a 4xx (or kept failing): `explanation` tells the user what to fix. */
export class CircleCiError extends Error {
  constructor(
    readonly status: number | null,
    readonly explanation: string,
  ) {
    super(explanation);
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
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  attempts = 4,
  baseDelayMs = 500,
}: CircleCiClientParams) {
  const base = apiUrl.replace(/\/+$/, "");

  async function post(path: string, body: unknown, project: CircleCiProject): Promise<unknown> {
    if (token === "") throw new CircleCiError(null, explain(null, "", project, "no CIRCLECI_TOKEN is set"));
    let lastProblem = "";
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", "Circle-Token": token },
          body: JSON.stringify(body),
        });
      } catch (error) {
        lastProblem = `could not reach CircleCI at ${base}: ${error instanceof Error ? error.message : String(error)}`;
        if (attempt < attempts) await sleep(backoff(attempt, null));
        continue;
      }
      const text = await response.text();
      if (response.ok) return text === "" ? {} : JSON.parse(text);
      const message = messageOf(text);
      if (response.status === 429 || response.status >= 500) {
        lastProblem = `CircleCI answered ${response.status}${message ? `: ${message}` : ""}`;
        if (attempt < attempts) await sleep(backoff(attempt, response.headers.get("retry-after")));
        continue;
      }
      throw new CircleCiError(response.status, explain(response.status, message, project, null));
    }
    throw new CircleCiError(null, `${lastProblem} (gave up after ${attempts} attempts)`);
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
      if (typeof id !== "string") throw new CircleCiError(null, "CircleCI accepted the trigger but returned no pipeline id");
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

/** What a 4xx means for the person who set ShadowOps up. */
function explain(status: number | null, message: string, project: CircleCiProject, local: string | null): string {
  const said = message ? ` (CircleCI said: "${message}")` : "";
  if (local) return `${local}: set CIRCLECI_TOKEN to a CircleCI personal API token with access to ${project.slug}.`;
  if (status === 401 || status === 403) {
    return `CircleCI rejected the API token${said}: check that CIRCLECI_TOKEN is a valid personal API token with access to project ${project.slug}.`;
  }
  if (status === 404) {
    return `CircleCI has no project ${project.slug} that this token can see${said}: check circleci.project_slug in .github/shadowops.yml (GitHub App projects use circleci/ORG-ID/PROJECT-ID) and the token's access.`;
  }
  if (project.definitionId) {
    return `CircleCI refused the pipeline (HTTP ${status})${said}: check circleci.definition_id (${project.definitionId}) in .github/shadowops.yml, and that the pipeline's config declares the shadowops_* parameters (use the ShadowOps orb).`;
  }
  return `CircleCI refused the pipeline (HTTP ${status})${said}: check circleci.project_slug (${project.slug}), that a GitHub App project sets circleci.definition_id, and that the pipeline's config declares the shadowops_* parameters (use the ShadowOps orb).`;
}
