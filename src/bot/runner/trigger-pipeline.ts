import type { CircleCiClient } from "../circleci/circleci-client.js";
import { formatTtl, type PipelineParameters } from "../circleci/pipeline-parameters.js";
import { pipelineUrl } from "../circleci/pipeline-url.js";
import type { BotStore } from "../store/bot-store.js";
import type { EnvironmentRecord, PipelineAction, PipelineRecord } from "../store/environment-record.js";

/** The orb's parameters for an action on the record's environment. */
export function pipelineParameters(record: EnvironmentRecord, action: PipelineAction, ttlMs: number): PipelineParameters {
  return {
    shadowops_action: action,
    shadowops_environment: record.id,
    shadowops_repository: `${record.owner}/${record.repo}`,
    shadowops_pull_request: record.pullNumber,
    shadowops_commit: record.headSha,
    shadowops_dag: record.dag ?? "",
    shadowops_snapshot: record.snapshot,
    shadowops_ttl: formatTtl(ttlMs),
  };
}

export interface TriggerPipelineParams {
  circleci: CircleCiClient;
  store: BotStore;
  record: EnvironmentRecord;
  action: PipelineAction;
  /** Time to live from now that the pipeline tags the resources with. */
  ttlMs: number;
}

/**
 * Starts the orb's pipeline for an action and remembers it (so CircleCI's workflow webhook
 * can find the environment). The pipeline's config comes from the PR's base branch; the
 * checkout is the PR's head ref, and the orb deploys exactly shadowops_commit. Throws
 * CircleCiError with an explanation when CircleCI refuses.
 */
export async function triggerPipeline({ circleci, store, record, action, ttlMs }: TriggerPipelineParams): Promise<PipelineRecord> {
  const triggered = await circleci.triggerPipeline({
    project: record.project,
    parameters: pipelineParameters(record, action, ttlMs),
    configBranch: record.baseRef,
    checkoutBranch: `pull/${record.pullNumber}/head`,
  });
  const pipeline: PipelineRecord = {
    id: triggered.id,
    number: triggered.number,
    url: pipelineUrl(record.project.slug, triggered.number),
    action,
    environmentId: record.id,
    headSha: record.headSha,
  };
  store.putPipeline(pipeline);
  return pipeline;
}
