import { z } from "zod";
import type { MigrationResult } from "../../core/migration-result.js";
import type { ShadowReport, TaskState } from "../../core/shadow-report.js";

/** Longest text field accepted from a callback (log tails are cut again when rendered). */
const MAX_TEXT = 1_000_000;

const TASK_STATES = [
  "success",
  "failed",
  "upstream_failed",
  "skipped",
  "removed",
  "running",
  "queued",
  "scheduled",
  "up_for_retry",
  "up_for_reschedule",
  "deferred",
  "restarting",
  "none",
] as const satisfies readonly TaskState[];

const text = z.string().max(MAX_TEXT);
const line = z.string().max(1_000);
const isoTime = z.string().max(100);
const milliseconds = z.number().finite().nonnegative();

export const migrationResultSchema = z.object({
  name: line,
  status: z.enum(["applied", "skipped", "failed", "not_run"]),
  durationMs: milliseconds,
  error: text.optional(),
}) satisfies z.ZodType<MigrationResult>;

const taskResultSchema = z.object({
  taskId: line,
  state: z.enum(TASK_STATES),
  tryNumber: z.int().nonnegative(),
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  durationMs: milliseconds.optional(),
  logTail: text.optional(),
  scriptPath: line.optional(),
});

/** A ShadowReport as the CLI's `--json` writes it. */
export const shadowReportSchema = z.object({
  environment: line,
  driver: line,
  airflowUrl: line.optional(),
  repository: line.optional(),
  commit: line.optional(),
  outcome: z.enum(["passed", "failed"]),
  failure: text.optional(),
  migrations: z.array(migrationResultSchema).max(10_000),
  dagRun: z
    .object({
      dagId: line,
      runId: line,
      state: z.enum(["success", "failed", "running", "queued"]),
      startedAt: isoTime.optional(),
      endedAt: isoTime.optional(),
      durationMs: milliseconds.optional(),
      tasks: z.array(taskResultSchema).max(10_000),
    })
    .optional(),
  timings: z.array(z.object({ phase: line, durationMs: milliseconds })).max(100),
}) satisfies z.ZodType<ShadowReport>;

/** Phases the pipeline reports, in lifecycle order. */
export const CALLBACK_PHASES = ["provisioning", "configuring", "migrating", "running", "destroying"] as const;

const base = {
  /** Unique per event (a UUID): the bot handles each id once. */
  id: z.string().min(8).max(200),
  /** The environment id the bot sent as shadowops_environment. */
  environment: z.string().min(1).max(100),
  /** The commit the pipeline runs (shadowops_commit); events about an older commit are ignored. */
  commit: z.string().regex(/^[0-9a-f]{40}$/).optional(),
  /** CircleCI's pipeline id ($CIRCLE_PIPELINE_ID), for the record. */
  pipeline_id: z.string().max(100).optional(),
};

/**
 * The JSON body of a callback: one of six event types, each with the common fields above.
 *
 *   phase       { phase: provisioning|configuring|migrating|running|destroying, message? }
 *   ready       { airflow_url, cost_per_hour_usd? }
 *   migrations  { migrations: MigrationResult[] }
 *   dag_result  { report: ShadowReport }
 *   destroyed   { reason? }
 *   failed      { reason, phase? }
 */
export const callbackEventSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("phase"), phase: z.enum(CALLBACK_PHASES), message: line.optional() }),
  z.object({
    ...base,
    type: z.literal("ready"),
    airflow_url: z.url({ protocol: /^https?$/ }).max(2_000),
    cost_per_hour_usd: z.number().finite().nonnegative().max(10_000).optional(),
  }),
  z.object({ ...base, type: z.literal("migrations"), migrations: z.array(migrationResultSchema).max(10_000) }),
  z.object({ ...base, type: z.literal("dag_result"), report: shadowReportSchema }),
  z.object({ ...base, type: z.literal("destroyed"), reason: line.optional() }),
  z.object({ ...base, type: z.literal("failed"), reason: text.min(1), phase: line.optional() }),
]);

export type CallbackEvent = z.output<typeof callbackEventSchema>;
export type CallbackEventType = CallbackEvent["type"];

/** The part of CircleCI's outbound webhook (workflow-completed) the bot reads. */
export const circleCiWebhookSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().max(100),
  happened_at: z.string().max(100).optional(),
  workflow: z
    .object({
      id: z.string().max(100),
      name: z.string().max(1_000),
      status: z.string().max(100),
      url: z.string().max(2_000).optional(),
    })
    .optional(),
  pipeline: z.object({ id: z.string().max(100), number: z.number().optional() }).optional(),
  project: z.object({ slug: z.string().max(300) }).optional(),
});

export type CircleCiWebhook = z.output<typeof circleCiWebhookSchema>;
