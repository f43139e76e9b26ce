import { canTransition, type EnvironmentState } from "../../core/lifecycle.js";
import type { CallbackEvent } from "../callbacks/callback-event.js";
import type { EnvironmentRecord } from "../store/environment-record.js";
import { bestEffort, githubFor, type BotServices } from "./bot-services.js";
import { endOpenDagChecks, writeDagCheck } from "./dag-check.js";
import { destroyedChanges, markDestroyed } from "./destroy-environment.js";
import { writeDeploymentStatus } from "./deployment.js";
import { writeEnvironmentCheck } from "./environment-check.js";
import { writeStickyComment } from "./sticky-comment.js";
import type { GitHubClient } from "../github/octokit.js";

export type CallbackOutcome =
  | { status: "applied"; environment: string }
  | { status: "ignored"; reason: "stale-commit" | "already-destroyed" }
  | { status: "unknown-environment" };

/**
 * What a signed callback from the pipeline changes on the PR: the environment check (in progress
 * with the phase, success with the Airflow URL, failure with the reason), the DAG check (the
 * run's report), the deployment, the sticky comment, and the environment's state.
 */
export async function applyCallbackEvent(services: BotServices, event: CallbackEvent): Promise<CallbackOutcome> {
  if (services.store.getEnvironment(event.environment) === null) return { status: "unknown-environment" };
  return services.locks.run(event.environment, async () => {
    const record = services.store.getEnvironment(event.environment);
    if (!record) return { status: "unknown-environment" };
    if (event.type !== "destroyed" && event.commit !== undefined && event.commit !== record.headSha) {
      services.log.info({ environment: record.id, commit: event.commit }, `ignoring ${event.type} callback about an older commit`);
      return { status: "ignored", reason: "stale-commit" };
    }
    if (record.state === "destroyed") return { status: "ignored", reason: "already-destroyed" };
    const octokit = await githubFor(services, record);
    if (octokit === null) {
      // The app lost access to the repository: only the bot's own record follows.
      services.store.putEnvironment({ ...record, ...recordChanges(record, event, services.now()) });
    } else {
      await apply(services, octokit, record, event);
    }
    return { status: "applied", environment: record.id };
  });
}

/** What a callback changes in the bot's record of the environment, before GitHub is told. */
function recordChanges(before: EnvironmentRecord, event: CallbackEvent, now: number): Partial<EnvironmentRecord> {
  switch (event.type) {
    case "phase":
      return {
        state: advance(before.state, event.phase),
        phase: event.message ? `${event.phase}: ${event.message}` : event.phase,
        liveSince: before.liveSince ?? now,
      };
    case "ready":
      return { airflowUrl: event.airflow_url, costPerHourUsd: event.cost_per_hour_usd ?? before.costPerHourUsd, liveSince: before.liveSince ?? now };
    case "migrations":
      return { migrations: event.migrations };
    case "dag_result": {
      const { report } = event;
      return {
        state: before.state === "destroying" ? before.state : report.outcome === "passed" ? "passed" : "failed",
        phase: null,
        failure: report.failure ?? null,
        migrations: report.migrations,
        lastDagId: report.dagRun?.dagId ?? before.dag,
        airflowUrl: before.airflowUrl ?? report.airflowUrl ?? null,
      };
    }
    case "failed":
      return {
        state: before.state === "destroying" ? before.state : canTransition(before.state, "failed") ? "failed" : before.state,
        failure: event.reason,
        phase: event.phase ?? before.phase,
      };
    case "destroyed":
      return destroyedChanges(now);
  }
}

async function apply(services: BotServices, octokit: GitHubClient, before: EnvironmentRecord, event: CallbackEvent): Promise<void> {
  const { store, log } = services;
  const now = services.now();
  const save = (changes: Partial<EnvironmentRecord>) => store.putEnvironment({ ...store.getEnvironment(before.id)!, ...changes });
  const changes = recordChanges(before, event, now);
  switch (event.type) {
    case "phase": {
      let record = save(changes);
      const envCheckOpen = record.environmentCheck !== null && record.environmentCheck.status !== "completed";
      const dagPhase = event.phase === "migrating" || event.phase === "running";
      const [environmentCheck, deploymentState] = await Promise.all([
        envCheckOpen ? writeEnvironmentCheck({ octokit, record, kind: "in-progress", now }) : undefined,
        record.deploymentId !== null && (record.deploymentState === "queued" || record.deploymentState === null)
          ? writeDeploymentStatus({ octokit, record, state: "in_progress", now })
          : undefined,
        dagPhase
          ? writeDagCheck({
              octokit,
              store,
              record,
              dagId: record.dag,
              update: event.phase === "migrating" ? { kind: "migrating", migrations: record.migrations ?? [] } : { kind: "running" },
              now,
            })
          : undefined,
      ]);
      record = save({ environmentCheck: environmentCheck ?? record.environmentCheck, deploymentState: deploymentState ?? record.deploymentState });
      await refreshComment(services, octokit, record);
      return;
    }
    case "ready": {
      let record = save(changes);
      const [environmentCheck, deploymentState] = await Promise.all([
        writeEnvironmentCheck({ octokit, record, kind: "ready", now }),
        writeDeploymentStatus({ octokit, record, state: "success", now }),
      ]);
      record = save({ environmentCheck, deploymentState });
      await refreshComment(services, octokit, record);
      return;
    }
    case "migrations": {
      const record = save(changes);
      await writeDagCheck({ octokit, store, record, dagId: record.dag, update: { kind: "migrating", migrations: event.migrations }, now });
      return;
    }
    case "dag_result": {
      const { report } = event;
      let record = save(changes);
      const dagId = record.lastDagId;
      const envCheckOpen = record.environmentCheck !== null && record.environmentCheck.status !== "completed";
      // A run that ends before `ready` arrived: the environment came up, or it could not have run.
      const environmentCheck = envCheckOpen
        ? await bestEffort(log, "end the environment check", () =>
            writeEnvironmentCheck({ octokit, record, kind: report.dagRun ? "ready" : "failed", now }),
          )
        : undefined;
      await writeDagCheck({ octokit, store, record, dagId, update: { kind: "result", report }, now });
      record = save({ environmentCheck: environmentCheck ?? record.environmentCheck });
      await refreshComment(services, octokit, record);
      return;
    }
    case "failed": {
      let record = save(changes);
      await markFailed(services, octokit, record);
      record = store.getEnvironment(before.id)!;
      await refreshComment(services, octokit, record);
      return;
    }
    case "destroyed":
      await markDestroyed({ services, octokit, record: before });
      return;
  }
}

/** The environment failed: open checks fail with the reason, the deployment too. Callers hold the lock. */
export async function markFailed(services: BotServices, octokit: GitHubClient, record: EnvironmentRecord): Promise<void> {
  const { store, log } = services;
  const now = services.now();
  const envCheckOpen = record.environmentCheck !== null && record.environmentCheck.status !== "completed";
  const [environmentCheck, deploymentState] = await Promise.all([
    envCheckOpen ? bestEffort(log, "fail the environment check", () => writeEnvironmentCheck({ octokit, record, kind: "failed", now })) : undefined,
    bestEffort(log, "fail the deployment", () => writeDeploymentStatus({ octokit, record, state: "failure", now })),
    bestEffort(log, "fail open DAG checks", () => endOpenDagChecks({ octokit, store, record, update: { kind: "environment-failed" }, now })),
  ]);
  store.putEnvironment({
    ...record,
    environmentCheck: environmentCheck ?? record.environmentCheck,
    deploymentState: deploymentState ?? record.deploymentState,
  });
}

async function refreshComment(services: BotServices, octokit: GitHubClient, record: EnvironmentRecord): Promise<void> {
  const commentId = await bestEffort(services.log, "write the sticky comment", () => writeStickyComment({ octokit, record, now: services.now() }));
  if (commentId !== undefined && commentId !== record.commentId) services.store.putEnvironment({ ...record, commentId });
}

/** The state a phase puts the environment in, when the lifecycle allows it (callbacks may arrive out of order). */
function advance(state: EnvironmentState, phase: EnvironmentState): EnvironmentState {
  if (state === phase) return state;
  if (canTransition(state, phase)) return phase;
  // A re-test of a live environment reports every phase again, starting anywhere.
  const order: EnvironmentState[] = ["requested", "provisioning", "configuring", "migrating", "running"];
  if (order.includes(state) && order.includes(phase) && order.indexOf(phase) > order.indexOf(state)) return phase;
  return state;
}
