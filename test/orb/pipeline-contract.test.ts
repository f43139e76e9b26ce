/**
 * The contract between the bot and the orb: the pipeline parameters the bot sends are exactly the
 * ones the consumer example declares, with the same types (CircleCI refuses a pipeline triggered
 * with an undeclared parameter), and for each action the example runs the orb job that handles it,
 * with parameters that compile against that job.
 */
import { describe, expect, it } from "vitest";
import { PIPELINE_PARAMETER_NAMES, PIPELINE_PARAMETER_TYPES } from "../../src/bot/circleci/pipeline-parameters.js";
import { pipelineParameters } from "../../src/bot/runner/trigger-pipeline.js";
import type { EnvironmentRecord, PipelineAction } from "../../src/bot/store/environment-record.js";
import { packOrb } from "../../scripts/orb-pack.js";
import { asMap } from "./orb-checks.js";
import { compileJob, jobsForPipeline } from "./run-orb-job.js";

const { orb } = packOrb();
const examples = asMap(orb.examples);
const CONSUMER = "test_pull_requests_with_the_bot";
const usageOf = (name: string) => asMap(asMap(examples[name]).usage);

/** The fields of a bot record that pipelineParameters reads. */
const record = {
  id: "codertocat-hello-world-pr-2",
  owner: "Codertocat",
  repo: "Hello-World",
  pullNumber: 2,
  headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  dag: "warehouse_metrics",
  snapshot: "latest",
} as unknown as EnvironmentRecord;

describe("the bot's pipeline parameters and the consumer example", () => {
  it("declares exactly the parameters the bot sends, with the bot's types", () => {
    const declared = asMap(usageOf(CONSUMER).parameters);
    expect(Object.keys(declared).sort()).toEqual([...PIPELINE_PARAMETER_NAMES].sort());
    const types = Object.fromEntries(Object.entries(declared).map(([name, declaration]) => [name, asMap(declaration).type]));
    expect(types).toEqual(PIPELINE_PARAMETER_TYPES);
  });

  it("so does every other example that the bot can trigger", () => {
    for (const [name] of Object.entries(examples)) {
      const declared = asMap(usageOf(name).parameters);
      if (!("shadowops_action" in declared)) continue;
      const types = Object.fromEntries(Object.entries(declared).filter(([key]) => key.startsWith("shadowops_")).map(([key, value]) => [key, asMap(value).type]));
      expect(types, name).toEqual(PIPELINE_PARAMETER_TYPES);
    }
  });

  it.each([
    ["test", "shadow_test", 4 * 3_600_000, { environment: record.id, repository: "Codertocat/Hello-World", pull_request: 2, commit: record.headSha, dag: "warehouse_metrics", snapshot: "latest", ttl: "4h" }],
    ["destroy", "destroy", 4 * 3_600_000, { environment: record.id, commit: record.headSha }],
    ["extend", "extend", 90 * 60_000, { environment: record.id, ttl: "1h30m" }],
  ] as const)("runs one orb job for %s: %s, with the bot's values", (action, job, ttlMs, expected) => {
    const parameters = pipelineParameters(record, action as PipelineAction, ttlMs);
    for (const example of [CONSUMER, "use_alongside_your_own_jobs"]) {
      const jobs = jobsForPipeline(usageOf(example), { ...parameters }).filter((selected) => selected.orb === "shadowops");
      expect(jobs.map((selected) => selected.job), example).toEqual([job]);
      const [selected] = jobs;
      expect(selected!.parameters).toMatchObject(expected);
      expect(selected!.context).toEqual(["shadowops"]);
      expect(() => compileJob(orb, job, selected!.parameters), example).not.toThrow();
    }
  });

  it("runs no shadow job on the repository's own pipelines (no action)", () => {
    expect(jobsForPipeline(usageOf(CONSUMER), {})).toEqual([]);
    expect(jobsForPipeline(usageOf("use_alongside_your_own_jobs"), {}).map((selected) => selected.job)).toEqual(["lint_and_unit_test"]);
  });

  it("is refused, like CircleCI refuses it, when the bot sends a parameter the config does not declare", () => {
    expect(() => jobsForPipeline(usageOf(CONSUMER), { shadowops_action: "test", shadowops_region: "eu-west-1" })).toThrow(/Unexpected argument\(s\): shadowops_region/);
  });

  it("runs the reaper only for the nightly schedule", () => {
    const usage = usageOf("reap_expired_shadows_nightly");
    const nightly = { "pipeline.trigger_source": "scheduled_pipeline", "pipeline.schedule.name": "nightly_reaper" };
    expect(jobsForPipeline(usage, {}, nightly).map((selected) => selected.job)).toEqual(["reap"]);
    expect(jobsForPipeline(usage, {}, { ...nightly, "pipeline.trigger_source": "webhook" })).toEqual([]);
  });
});
