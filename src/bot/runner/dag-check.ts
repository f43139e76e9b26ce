import type { MigrationResult } from "../../core/migration-result.js";
import type { ShadowReport } from "../../core/shadow-report.js";
import { renderMarkdownReportSafely } from "../../report/render-markdown-report.js";
import { formatTtl } from "../circleci/pipeline-parameters.js";
import { checkActions, type CheckActionId } from "../github/check-actions.js";
import { createCheckRun, dagCheckName, updateCheckRun, type Annotation, type CheckRunChange, type Conclusion } from "../github/check-runs.js";
import type { GitHubClient } from "../github/octokit.js";
import { LIMITS, renderLine, renderMarkdown } from "../render/bot-text.js";
import { environmentView } from "../render/environment-view.js";
import type { BotStore } from "../store/bot-store.js";
import type { CheckStatus, EnvironmentRecord } from "../store/environment-record.js";
import { failedTaskAnnotations } from "./failed-task-annotations.js";

export type DagCheckUpdate =
  | { kind: "queued" }
  | { kind: "migrating"; migrations: MigrationResult[] }
  | { kind: "running" }
  | { kind: "result"; report: ShadowReport }
  | { kind: "needs-retest"; newCommit: string; detailsUrl: string | null }
  | { kind: "environment-failed" }
  | { kind: "trigger-failed" }
  | { kind: "destroyed" };

const ALL_ACTIONS: CheckActionId[] = ["rerun", "destroy", "extend"];

export interface WriteDagCheckParams {
  octokit: GitHubClient;
  store: BotStore;
  record: EnvironmentRecord;
  /** null: the orb's default DAG (named "default" in the check). */
  dagId: string | null;
  /** The commit the check belongs to: the record's by default. */
  headSha?: string;
  update: DagCheckUpdate;
  now: number;
  /** Start a new check run even if the commit has one (a re-test of the same commit). */
  forceCreate?: boolean;
}

/**
 * Creates or updates the check `ShadowOps / dag ID` of a commit: queued while the shadow comes
 * up, in progress during migrations and the run, then the run's report (summary and the full
 * markdown report as text, both within 65,535 characters) with an annotation on the R script of
 * each failed task, sent 50 a request.
 */
export async function writeDagCheck({
  octokit,
  store,
  record,
  dagId,
  headSha = record.headSha,
  update,
  now,
  forceCreate = false,
}: WriteDagCheckParams): Promise<void> {
  const dagKey = dagId ?? "default";
  const { change, annotations } = dagCheckChange(record, dagId, update, now);
  const status: CheckStatus = change.conclusion ? "completed" : (change.status ?? "queued");
  const owner = record.owner;
  const repo = record.repo;
  const existing = forceCreate ? null : store.getDagCheck(record.id, headSha, dagKey);
  let checkRunId = existing?.checkRunId;
  if (checkRunId === undefined) {
    if (annotations.length === 0) {
      const id = await createCheckRun({ octokit, owner, repo, name: dagCheckName(dagId), headSha, externalId: record.id, ...change });
      store.putDagCheck({ environmentId: record.id, headSha, dagId: dagKey, checkRunId: id, status });
      return;
    }
    checkRunId = await createCheckRun({ octokit, owner, repo, name: dagCheckName(dagId), headSha, externalId: record.id, status: "in_progress" });
  }
  await updateCheckRun({ octokit, owner, repo, checkRunId, ...change, annotations });
  store.putDagCheck({ environmentId: record.id, headSha, dagId: dagKey, checkRunId, status });
}

function dagCheckChange(record: EnvironmentRecord, dagId: string | null, update: DagCheckUpdate, now: number): { change: CheckRunChange; annotations: Annotation[] } {
  const environment = environmentView(record, now);
  const base = {
    kind: update.kind,
    environment,
    dagId: dagId ?? "default",
    migrations: update.kind === "migrating" ? update.migrations : [],
    newCommit: update.kind === "needs-retest" ? update.newCommit.slice(0, 7) : null,
    passed: false,
    taskCount: 0,
    failedCount: 0,
    annotated: 0,
    failure: null as string | null,
  };
  const actions = checkActions(ALL_ACTIONS, formatTtl(record.ttlMs));
  const output = (view: typeof base, text?: string) => ({
    title: renderLine("dag-check-title", view, LIMITS.checkTitle),
    summary: renderMarkdown("dag-check-summary", view, LIMITS.checkOutput),
    ...(text === undefined ? {} : { text }),
  });
  switch (update.kind) {
    case "queued":
      return { change: { status: "queued", output: output(base) }, annotations: [] };
    case "migrating":
    case "running":
      return { change: { status: "in_progress", output: output(base), detailsUrl: environment.airflowUrl }, annotations: [] };
    case "result": {
      const { report } = update;
      const tasks = report.dagRun?.tasks ?? [];
      const annotations = failedTaskAnnotations(report);
      const view = {
        ...base,
        passed: report.outcome === "passed",
        taskCount: tasks.length,
        failedCount: tasks.filter((task) => task.state === "failed" || task.state === "upstream_failed").length,
        annotated: annotations.length,
        failure: report.failure ?? null,
      };
      const text = renderMarkdownReportSafely(report, { maxLength: LIMITS.checkOutput });
      const conclusion: Conclusion = report.outcome === "passed" ? "success" : "failure";
      return { change: { conclusion, output: output(view, text), actions, detailsUrl: environment.airflowUrl }, annotations };
    }
    case "needs-retest":
      return {
        change: { conclusion: "action_required", output: output(base), actions: checkActions(["rerun"], formatTtl(record.ttlMs)), detailsUrl: update.detailsUrl },
        annotations: [],
      };
    case "environment-failed":
    case "trigger-failed":
      return { change: { conclusion: "failure", output: output(base), actions: checkActions(["rerun"], formatTtl(record.ttlMs)) }, annotations: [] };
    case "destroyed":
      return { change: { conclusion: "cancelled", output: output(base) }, annotations: [] };
  }
}

/** Ends every DAG check of the environment still queued or running (the shadow failed or is gone). */
export async function endOpenDagChecks({
  octokit,
  store,
  record,
  update,
  now,
}: Omit<WriteDagCheckParams, "dagId" | "headSha" | "update" | "forceCreate"> & { update: { kind: "environment-failed" | "destroyed" | "trigger-failed" } }): Promise<void> {
  for (const check of store.openDagChecks(record.id)) {
    await writeDagCheck({ octokit, store, record, dagId: check.dagId === "default" ? null : check.dagId, headSha: check.headSha, update, now });
  }
}
