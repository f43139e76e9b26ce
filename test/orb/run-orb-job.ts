/**
 * A small CircleCI step runner for the orb's tests: takes a job of the packed orb, compiles it
 * the way CircleCI does (parameters checked against their declarations and substituted, commands
 * expanded with their own parameters, `when`/`unless` blocks decided, `\<<` unescaped), then runs
 * each `run` step with bash as CircleCI would (`bash -eo pipefail`, CIRCLE_* variables, $BASH_ENV
 * sourced by every step, `when: always|on_success|on_fail`, normal steps skipped after a failure,
 * `no_output_timeout`). It also resolves which orb job a config (an example's `usage`) runs for a
 * set of pipeline parameters, as CircleCI's workflow `when` does.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDuration } from "../../src/core/parse-duration.js";

export type Params = Record<string, unknown>;
type Map = Record<string, unknown>;

export interface ParameterDeclaration {
  type: "string" | "boolean" | "integer" | "enum" | "env_var_name" | "executor" | "steps";
  description?: string;
  default?: unknown;
  enum?: string[];
}

/** A compile error, worded like CircleCI's. */
export class OrbCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrbCompileError";
  }
}

/** A run step after compilation: what will be executed. */
export interface CompiledRunStep {
  name: string;
  command: string;
  environment: Record<string, string>;
  when: "on_success" | "always" | "on_fail";
  workingDirectory?: string;
  noOutputTimeoutMs: number;
  /** The orb command it came from (e.g. provision), for assertions. */
  from?: string;
}

export interface CompiledOtherStep {
  /** A built-in step this runner does not execute (checkout, store_artifacts, …). */
  builtin: string;
  args: unknown;
  when: "on_success" | "always" | "on_fail";
}

export type CompiledStep = CompiledRunStep | CompiledOtherStep;

export interface StepResult {
  name: string;
  from?: string;
  status: "success" | "failed" | "skipped";
  exitCode: number | null;
  output: string;
  durationMs: number;
}

export interface JobRun {
  job: string;
  ok: boolean;
  steps: StepResult[];
  /** Every step's output, in order, with a header per step (like the CircleCI UI). */
  output: string;
}

const DEFAULT_NO_OUTPUT_TIMEOUT_MS = 10 * 60_000;
/** Keys of a workflow's job entry that are not job parameters. */
const WORKFLOW_JOB_KEYS = new Set(["context", "requires", "name", "filters", "matrix", "type", "pre-steps", "post-steps", "serial-group", "override-with"]);

// ---------------------------------------------------------------------------------------------
// Parameters

/** The job's or command's arguments merged with defaults, checked like CircleCI checks them. */
export function bindParameters(what: string, declarations: Record<string, ParameterDeclaration> | undefined, given: Params): Params {
  const declared = declarations ?? {};
  const unexpected = Object.keys(given).filter((key) => !(key in declared));
  if (unexpected.length > 0) throw new OrbCompileError(`${what}: Unexpected argument(s): ${unexpected.join(", ")}`);
  const bound: Params = {};
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(declared)) {
    const value = name in given ? given[name] : declaration.default;
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    checkType(`${what}: parameter ${name}`, declaration, value);
    bound[name] = value;
  }
  if (missing.length > 0) throw new OrbCompileError(`${what}: Missing argument(s): ${missing.join(", ")}`);
  return bound;
}

function checkType(what: string, declaration: ParameterDeclaration, value: unknown): void {
  const fail = (expected: string) => {
    throw new OrbCompileError(`${what}: expected ${expected}, got ${JSON.stringify(value)}`);
  };
  switch (declaration.type) {
    case "string":
      if (typeof value !== "string") fail("a string");
      break;
    case "boolean":
      if (typeof value !== "boolean") fail("a boolean");
      break;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) fail("an integer");
      break;
    case "enum":
      if (typeof value !== "string" || !(declaration.enum ?? []).includes(value)) fail(`one of ${(declaration.enum ?? []).join(", ")}`);
      break;
    case "env_var_name":
      if (typeof value !== "string" || !/^[a-zA-Z][a-zA-Z0-9_]*$/.test(value)) fail("an environment variable name");
      break;
    case "executor":
      if (typeof value !== "string" && (value === null || typeof value !== "object")) fail("an executor");
      break;
    case "steps":
      if (!Array.isArray(value)) fail("a list of steps");
      break;
    default:
      throw new OrbCompileError(`${what}: unknown parameter type ${JSON.stringify((declaration as { type: unknown }).type)}`);
  }
}

/** `<< parameters.x >>`, `<< pipeline.parameters.x >>` and other pipeline values; `\<<` is literal. */
const REFERENCE = /(?<!\\)<<\s*([A-Za-z_][\w.-]*)\s*>>/g;

/**
 * Substitutes references in every string of `value`. A string that is exactly one reference takes
 * the parameter's value with its type (a boolean stays a boolean), as CircleCI does.
 */
export function substitute(value: unknown, scope: { parameters?: Params; pipeline?: Params }, where: string): unknown {
  if (typeof value === "string") {
    const lookup = (name: string): unknown => {
      if (name.startsWith("parameters.")) {
        const key = name.slice("parameters.".length);
        if (!scope.parameters || !(key in scope.parameters)) throw new OrbCompileError(`${where}: Unknown parameter: ${key}`);
        return scope.parameters[key];
      }
      if (name.startsWith("pipeline.")) {
        if (!scope.pipeline || !(name in scope.pipeline)) throw new OrbCompileError(`${where}: Unknown pipeline value: ${name}`);
        return scope.pipeline[name];
      }
      // Not ours (e.g. `<< include(…) >>` left unpacked): CircleCI would reject it too.
      throw new OrbCompileError(`${where}: Unknown reference << ${name} >>`);
    };
    const whole = /^(?<!\\)<<\s*([A-Za-z_][\w.-]*)\s*>>$/.exec(value);
    if (whole) return lookup(whole[1]!);
    return value.replace(REFERENCE, (_match, name: string) => String(lookup(name)));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, scope, where));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Map).map(([key, item]) => [key, substitute(item, scope, where)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Conditions (workflow and step `when`)

/** CircleCI's logic statements: a literal (truthiness), and, or, not, equal, matches. */
export function evaluateCondition(condition: unknown): boolean {
  if (condition === null || condition === undefined) return false;
  if (typeof condition === "boolean") return condition;
  if (typeof condition === "number") return condition !== 0 && !Number.isNaN(condition);
  if (typeof condition === "string") return condition.trim() !== "";
  if (Array.isArray(condition)) throw new OrbCompileError(`a condition cannot be a list: ${JSON.stringify(condition)}`);
  const entries = Object.entries(condition as Map);
  if (entries.length !== 1) throw new OrbCompileError(`a logic statement has exactly one key: ${JSON.stringify(condition)}`);
  const [operator, operand] = entries[0]!;
  switch (operator) {
    case "and":
      return asList(operand).every(evaluateCondition);
    case "or":
      return asList(operand).some(evaluateCondition);
    case "not":
      return !evaluateCondition(operand);
    case "equal": {
      const values = asList(operand).map((item) => JSON.stringify(item));
      return values.every((item) => item === values[0]);
    }
    case "matches": {
      const { pattern, value } = operand as { pattern: string; value: string };
      return new RegExp(`^(?:${pattern})$`).test(String(value));
    }
    default:
      throw new OrbCompileError(`unknown logic statement ${operator}`);
  }
}

function asList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new OrbCompileError(`expected a list, got ${JSON.stringify(value)}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Compilation

export interface CompileOptions {
  /** Pipeline values for `<< pipeline.… >>` (pipeline.id, pipeline.number, …). */
  pipeline?: Params;
}

/** A job of the orb with its steps expanded into run steps (and built-ins), CircleCI's way. */
export function compileJob(orb: Map, jobName: string, given: Params, options: CompileOptions = {}): CompiledStep[] {
  const job = (orb.jobs as Map | undefined)?.[jobName] as Map | undefined;
  if (!job) throw new OrbCompileError(`Cannot find a definition for job named ${jobName}`);
  const parameters = bindParameters(`job ${jobName}`, job.parameters as Record<string, ParameterDeclaration>, given);
  const steps = substitute(job.steps, { parameters, pipeline: options.pipeline }, `job ${jobName}`) as unknown[];
  return compileSteps(orb, steps, options, [], undefined);
}

function compileSteps(orb: Map, steps: unknown[], options: CompileOptions, stack: string[], from: string | undefined): CompiledStep[] {
  const compiled: CompiledStep[] = [];
  for (const step of steps) {
    const [name, args] = typeof step === "string" ? [step, undefined] : singleEntry(step);
    if (name === "run") {
      compiled.push(compileRun(args, from));
    } else if (name === "when" || name === "unless") {
      const block = args as { condition: unknown; steps: unknown[] };
      const holds = evaluateCondition(block.condition);
      if (holds === (name === "when")) compiled.push(...compileSteps(orb, block.steps, options, stack, from));
    } else if (BUILTIN_STEPS.has(name)) {
      compiled.push({ builtin: name, args, when: whenOf(args) });
    } else {
      const command = (orb.commands as Map | undefined)?.[name] as Map | undefined;
      if (!command) throw new OrbCompileError(`Cannot find a definition for command named ${name}`);
      if (stack.includes(name)) throw new OrbCompileError(`command ${name} includes itself: ${[...stack, name].join(" → ")}`);
      const parameters = bindParameters(`command ${name}`, command.parameters as Record<string, ParameterDeclaration>, (args as Params | undefined) ?? {});
      const body = substitute(command.steps, { parameters, pipeline: options.pipeline }, `command ${name}`) as unknown[];
      compiled.push(...compileSteps(orb, body, options, [...stack, name], from ?? name));
    }
  }
  return compiled;
}

/** CircleCI's built-in steps besides run, when and unless (which compileSteps handles itself). */
export const BUILTIN_STEPS = new Set([
  "checkout",
  "setup_remote_docker",
  "save_cache",
  "restore_cache",
  "store_artifacts",
  "store_test_results",
  "persist_to_workspace",
  "attach_workspace",
  "add_ssh_keys",
]);

function compileRun(args: unknown, from: string | undefined): CompiledRunStep {
  const run: Map = typeof args === "string" ? { command: args } : ((args as Map) ?? {});
  if (typeof run.command !== "string") throw new OrbCompileError(`a run step needs a command: ${JSON.stringify(args)}`);
  const command = unescape(run.command);
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries((run.environment as Map | undefined) ?? {})) environment[key] = environmentValue(value);
  return {
    name: typeof run.name === "string" ? unescape(run.name) : command.split("\n")[0]!.slice(0, 60),
    command,
    environment,
    when: whenOf(run),
    workingDirectory: typeof run.working_directory === "string" ? run.working_directory : undefined,
    noOutputTimeoutMs: typeof run.no_output_timeout === "string" ? parseDuration(run.no_output_timeout) : DEFAULT_NO_OUTPUT_TIMEOUT_MS,
    from,
  };
}

/** How CircleCI puts a value into a step's environment: booleans become 1 and 0. */
function environmentValue(value: unknown): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (value === null || value === undefined) return "";
  return String(value);
}

function whenOf(args: unknown): CompiledRunStep["when"] {
  const when = args !== null && typeof args === "object" ? (args as Map).when : undefined;
  if (when === undefined) return "on_success";
  if (when === "always" || when === "on_success" || when === "on_fail") return when;
  throw new OrbCompileError(`when must be always, on_success or on_fail, got ${JSON.stringify(when)}`);
}

function unescape(text: string): string {
  return text.replaceAll("\\<<", "<<");
}

function singleEntry(step: unknown): [string, unknown] {
  if (step === null || typeof step !== "object" || Array.isArray(step)) throw new OrbCompileError(`a step is a name or a one-key map: ${JSON.stringify(step)}`);
  const entries = Object.entries(step as Map);
  if (entries.length !== 1) throw new OrbCompileError(`a step has exactly one key: ${JSON.stringify(step)}`);
  return entries[0]!;
}

// ---------------------------------------------------------------------------------------------
// Which job a config runs for given pipeline parameters

export interface WorkflowJob {
  workflow: string;
  /** The job's name without the orb prefix. */
  job: string;
  /** The orb alias it came from (shadowops in shadowops/shadow_test), if any. */
  orb?: string;
  parameters: Params;
  context: string[];
}

/** The jobs CircleCI would run for a config triggered with these pipeline parameters (and values). */
export function jobsForPipeline(config: Map, given: Params, pipelineValues: Params = {}): WorkflowJob[] {
  const declarations = (config.parameters ?? {}) as Record<string, ParameterDeclaration>;
  const parameters = bindParameters("pipeline", declarations, given);
  const pipeline: Params = { ...pipelineValues };
  for (const [name, value] of Object.entries(parameters)) pipeline[`pipeline.parameters.${name}`] = value;
  const selected: WorkflowJob[] = [];
  for (const [workflowName, definition] of Object.entries((config.workflows ?? {}) as Map)) {
    const workflow = substitute(definition, { pipeline }, `workflow ${workflowName}`) as Map;
    if ("when" in workflow && !evaluateCondition(workflow.when)) continue;
    if ("unless" in workflow && evaluateCondition(workflow.unless)) continue;
    for (const entry of (workflow.jobs ?? []) as unknown[]) {
      const [reference, args] = typeof entry === "string" ? [entry, {}] : singleEntry(entry);
      const [alias, job] = reference.includes("/") ? reference.split("/", 2) : [undefined, reference];
      const all = (args ?? {}) as Params;
      const jobParameters = Object.fromEntries(Object.entries(all).filter(([key]) => !WORKFLOW_JOB_KEYS.has(key)));
      const context = all.context === undefined ? [] : ([] as string[]).concat(all.context as string | string[]);
      selected.push({ workflow: workflowName, job: job!, orb: alias, parameters: jobParameters, context });
    }
  }
  return selected;
}

// ---------------------------------------------------------------------------------------------
// Running

export interface RunJobOptions extends CompileOptions {
  orb: Map;
  job: string;
  parameters: Params;
  /** The job's environment: project and context variables on top of this process's. */
  env?: NodeJS.ProcessEnv;
  /** The checkout directory (CIRCLE_WORKING_DIRECTORY). */
  cwd: string;
  /** Handles `checkout`; without one, a checkout step fails the job. */
  checkout?: () => Promise<void>;
  /** Streams each step's output as it comes (for debugging: ORB_RUN_VERBOSE=1). */
  onOutput?: (chunk: string) => void;
  /** Leaves out the steps of these orb commands, as a job of one's own that forgot one would. */
  omit?: string[];
  buildNumber?: number;
}

/** Compiles and runs a job of the orb; resolves when its last step has ended. */
export async function runOrbJob(options: RunJobOptions): Promise<JobRun> {
  const steps = compileJob(options.orb, options.job, options.parameters, options).filter(
    (step) => "builtin" in step || !options.omit?.includes(step.from ?? ""),
  );
  const scratch = mkdtempSync(join(tmpdir(), "orb-job-"));
  const bashEnv = join(scratch, "bash-env");
  writeFileSync(bashEnv, "");
  const buildNumber = options.buildNumber ?? 1000 + Math.floor(Math.random() * 9000);
  const pipelineId = String(options.pipeline?.["pipeline.id"] ?? "00000000-0000-4000-8000-000000000001");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: "true",
    CIRCLECI: "true",
    CIRCLE_JOB: options.job,
    CIRCLE_BUILD_NUM: String(buildNumber),
    CIRCLE_BUILD_URL: `https://app.circleci.com/pipelines/circleci/test/${buildNumber}`,
    CIRCLE_PIPELINE_ID: pipelineId,
    CIRCLE_WORKFLOW_ID: "00000000-0000-4000-8000-000000000002",
    CIRCLE_WORKFLOW_JOB_ID: "00000000-0000-4000-8000-000000000003",
    CIRCLE_NODE_INDEX: "0",
    CIRCLE_NODE_TOTAL: "1",
    CIRCLE_WORKING_DIRECTORY: options.cwd,
    CIRCLE_SHELL_ENV: bashEnv,
    BASH_ENV: bashEnv,
    ...options.env,
  };

  const results: StepResult[] = [];
  let failed = false;
  let output = "";
  try {
    for (const step of steps) {
      const runs = step.when === "always" || (step.when === "on_success" ? !failed : failed);
      const name = "builtin" in step ? step.builtin : step.name;
      if (!runs) {
        results.push({ name, from: "builtin" in step ? undefined : step.from, status: "skipped", exitCode: null, output: "", durationMs: 0 });
        continue;
      }
      const started = performance.now();
      let result: StepResult;
      if ("builtin" in step) {
        result = await runBuiltin(step, options);
      } else {
        options.onOutput?.(`\n==> ${step.name}\n`);
        const { exitCode, text } = await runStep(step, env, options);
        result = { name: step.name, from: step.from, status: exitCode === 0 ? "success" : "failed", exitCode, output: text, durationMs: 0 };
      }
      result.durationMs = Math.round(performance.now() - started);
      if (result.status === "failed") failed = true;
      results.push(result);
      output += `==> ${result.name} (${result.status}${result.exitCode !== null && result.exitCode !== 0 ? `, exit ${result.exitCode}` : ""})\n${result.output}`;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { job: options.job, ok: !failed, steps: results, output };
}

async function runBuiltin(step: CompiledOtherStep, options: RunJobOptions): Promise<StepResult> {
  if (step.builtin === "checkout") {
    if (!options.checkout) return { name: "checkout", status: "failed", exitCode: 1, output: "this runner has no checkout: pass checkout: false or a checkout handler\n", durationMs: 0 };
    await options.checkout();
    return { name: "checkout", status: "success", exitCode: 0, output: "", durationMs: 0 };
  }
  return { name: step.builtin, status: "success", exitCode: 0, output: `(${step.builtin} is not run here)\n`, durationMs: 0 };
}

function runStep(step: CompiledRunStep, env: NodeJS.ProcessEnv, options: RunJobOptions): Promise<{ exitCode: number | null; text: string }> {
  const scratch = mkdtempSync(join(tmpdir(), "orb-step-"));
  const script = join(scratch, "step.sh");
  writeFileSync(script, step.command);
  return new Promise((resolve) => {
    const child = spawn("/bin/bash", ["-eo", "pipefail", script], {
      cwd: step.workingDirectory ?? options.cwd,
      env: { ...env, ...step.environment },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let text = "";
    let timer: NodeJS.Timeout | undefined;
    const quiet = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        text += `\nToo long with no output (exceeded ${step.noOutputTimeoutMs / 60_000} min): stopping the step\n`;
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          // already gone
        }
      }, step.noOutputTimeoutMs);
    };
    const onData = (chunk: Buffer) => {
      const piece = chunk.toString();
      text += piece;
      options.onOutput?.(piece);
      quiet();
    };
    quiet();
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      rmSync(scratch, { recursive: true, force: true });
      resolve({ exitCode: code ?? (signal ? 128 : 1), text });
    });
  });
}
