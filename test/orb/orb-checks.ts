/**
 * Checks on the packed orb and its examples that CircleCI's compiler and the orb review
 * (orb-tools `review`: RC001…RC012) would make, written as functions that return every problem
 * found, so a test shows them all at once.
 */
import { BUILTIN_STEPS as RUNNER_BUILTIN_STEPS, type ParameterDeclaration } from "./run-orb-job.js";

type Map = Record<string, unknown>;

export const COMPONENTS = ["commands", "jobs", "executors"] as const;
export type Component = (typeof COMPONENTS)[number];

/** Every step name CircleCI knows without a command definition. */
const BUILTIN_STEPS = new Set(["run", "when", "unless", ...RUNNER_BUILTIN_STEPS]);
const PARAMETER_TYPES = new Set(["string", "boolean", "integer", "enum", "env_var_name", "executor", "steps"]);
/** Pipeline values CircleCI provides besides pipeline.parameters.* (trigger_parameters are open-ended). */
const PIPELINE_VALUES = new Set([
  "pipeline.id",
  "pipeline.number",
  "pipeline.project.git_url",
  "pipeline.project.type",
  "pipeline.git.tag",
  "pipeline.git.branch",
  "pipeline.git.revision",
  "pipeline.git.base_revision",
  "pipeline.trigger_source",
  "pipeline.schedule.name",
  "pipeline.schedule.id",
]);
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const REFERENCE = /(?<!\\)<<\s*([A-Za-z_][\w.-]*)\s*>>/g;

export function asMap(value: unknown): Map {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Map) : {};
}

function stepEntry(step: unknown): [string, unknown] | undefined {
  if (typeof step === "string") return [step, undefined];
  const entries = Object.entries(asMap(step));
  return entries.length === 1 ? entries[0] : undefined;
}

/** Every step, including those nested in when/unless blocks, with its path. */
export function walkSteps(steps: unknown, path: string, visit: (name: string, args: unknown, where: string) => void): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step, index) => {
    const where = `${path}.steps[${index}]`;
    const entry = stepEntry(step);
    if (!entry) {
      visit("(malformed)", step, where);
      return;
    }
    const [name, args] = entry;
    visit(name, args, where);
    if (name === "when" || name === "unless") walkSteps(asMap(args).steps, where, visit);
  });
}

/** The text references (`<< x >>`) found in every string of a value. */
export function referencesIn(value: unknown): string[] {
  const found: string[] = [];
  const visit = (item: unknown) => {
    if (typeof item === "string") for (const match of item.matchAll(REFERENCE)) found.push(match[1]!);
    else if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === "object") Object.values(item).forEach(visit);
  };
  visit(value);
  return found;
}

/** Config 2.1 shape of a packed orb: version, description, display, and the sections' members. */
export function orbShapeProblems(orb: Map): string[] {
  const problems: string[] = [];
  if (orb.version !== 2.1) problems.push(`version must be 2.1, got ${JSON.stringify(orb.version)}`);
  const allowed = new Set(["version", "description", "display", "orbs", "commands", "jobs", "executors", "examples"]);
  for (const key of Object.keys(orb)) if (!allowed.has(key)) problems.push(`unknown top-level key ${key}`);
  for (const [name, command] of Object.entries(asMap(orb.commands))) {
    if (!Array.isArray(asMap(command).steps) || (asMap(command).steps as unknown[]).length === 0) problems.push(`commands.${name}: no steps`);
  }
  for (const [name, job] of Object.entries(asMap(orb.jobs))) {
    const definition = asMap(job);
    if (!Array.isArray(definition.steps)) problems.push(`jobs.${name}: no steps`);
    if (!["executor", "docker", "machine", "macos"].some((key) => key in definition)) problems.push(`jobs.${name}: no executor`);
  }
  for (const [name, executor] of Object.entries(asMap(orb.executors))) {
    if (!["docker", "machine", "macos"].some((key) => key in asMap(executor))) problems.push(`executors.${name}: no docker, machine or macos`);
  }
  for (const [name, example] of Object.entries(asMap(orb.examples))) {
    const usage = asMap(asMap(example).usage);
    if (usage.version !== 2.1) problems.push(`examples.${name}.usage: version must be 2.1`);
    if (!usage.orbs && !usage.jobs) problems.push(`examples.${name}.usage: uses no orb`);
  }
  return problems;
}

/** Parameter declarations are well formed and every `<< parameters.x >>` is declared. */
export function parameterProblems(orb: Map): string[] {
  const problems: string[] = [];
  for (const section of COMPONENTS) {
    for (const [name, definition] of Object.entries(asMap(orb[section]))) {
      const where = `${section}.${name}`;
      const declared = asMap(asMap(definition).parameters) as Record<string, ParameterDeclaration>;
      for (const [parameter, declaration] of Object.entries(declared)) {
        if (!PARAMETER_TYPES.has(declaration.type)) problems.push(`${where}.parameters.${parameter}: unknown type ${String(declaration.type)}`);
        if (declaration.type === "enum" && declaration.default !== undefined && !(declaration.enum ?? []).includes(String(declaration.default))) {
          problems.push(`${where}.parameters.${parameter}: default ${String(declaration.default)} is not one of its values`);
        }
      }
      const { parameters: _declarations, ...body } = asMap(definition);
      for (const reference of referencesIn(body)) {
        if (!reference.startsWith("parameters.")) {
          problems.push(`${where}: << ${reference} >> is not a parameter (orbs get pipeline values through parameters)`);
          continue;
        }
        const parameter = reference.slice("parameters.".length);
        if (!(parameter in declared)) problems.push(`${where}: << parameters.${parameter} >> is not declared`);
      }
    }
  }
  return problems;
}

/** Every command, job and executor the orb refers to exists, with only declared arguments. */
export function referenceProblems(orb: Map): string[] {
  const problems: string[] = [];
  const commands = asMap(orb.commands);
  const executors = asMap(orb.executors);
  const checkInvocation = (where: string, name: string, args: unknown) => {
    if (BUILTIN_STEPS.has(name)) return;
    if (!(name in commands)) {
      problems.push(`${where}: command ${name} does not exist`);
      return;
    }
    const declared = asMap(asMap(commands[name]).parameters);
    for (const key of Object.keys(asMap(args))) if (!(key in declared)) problems.push(`${where}: command ${name} has no parameter ${key}`);
  };
  for (const section of ["commands", "jobs"] as const) {
    for (const [name, definition] of Object.entries(asMap(orb[section]))) {
      walkSteps(asMap(definition).steps, `${section}.${name}`, (step, args, where) => checkInvocation(where, step, args));
    }
  }
  for (const [name, definition] of Object.entries(asMap(orb.jobs))) {
    const job = asMap(definition);
    const declared = asMap(job.parameters);
    const executor = job.executor;
    if (typeof executor === "string") {
      const param = /^<<\s*parameters\.(\w+)\s*>>$/.exec(executor);
      const target = param ? asMap(declared[param[1]!]).default : executor;
      if (typeof target === "string" && !(target in executors)) problems.push(`jobs.${name}: executor ${target} does not exist`);
    }
  }
  return problems;
}

/** How a config (an example's usage) refers to the orb and its own parts; returns the problems. */
export function exampleProblems(orb: Map, exampleName: string, usage: Map): string[] {
  const problems: string[] = [];
  const where = `examples.${exampleName}`;
  const aliases = Object.keys(asMap(usage.orbs));
  const localJobs = asMap(usage.jobs);
  const localCommands = asMap(usage.commands);
  const localExecutors = asMap(usage.executors);
  const declaredPipeline = asMap(usage.parameters);

  const resolve = (section: Component, reference: string): Map | undefined => {
    const [alias, name] = reference.includes("/") ? reference.split("/", 2) : [undefined, reference];
    if (alias !== undefined) {
      if (!aliases.includes(alias)) {
        problems.push(`${where}: ${reference} uses orb ${alias}, which the example does not import`);
        return undefined;
      }
      const found = asMap(orb[section])[name!];
      if (found === undefined) problems.push(`${where}: the orb has no ${section.slice(0, -1)} ${name}`);
      return found === undefined ? undefined : asMap(found);
    }
    const local = { commands: localCommands, jobs: localJobs, executors: localExecutors }[section][name!];
    if (local === undefined && !(section === "commands" && BUILTIN_STEPS.has(name!))) problems.push(`${where}: no ${section.slice(0, -1)} ${name}`);
    return local === undefined ? undefined : asMap(local);
  };
  const checkArgs = (what: string, definition: Map | undefined, args: unknown, ignore: Set<string> = new Set()) => {
    if (!definition) return;
    const declared = asMap(definition.parameters) as Record<string, ParameterDeclaration>;
    for (const key of Object.keys(asMap(args))) {
      if (!ignore.has(key) && !(key in declared)) problems.push(`${where}: ${what} has no parameter ${key}`);
    }
    for (const [key, declaration] of Object.entries(declared)) {
      if (declaration.default === undefined && !(key in asMap(args))) problems.push(`${where}: ${what} needs ${key}`);
    }
    for (const [key, value] of Object.entries(asMap(args))) {
      if (declaration(declared, key)?.type === "executor" && typeof value === "string") resolve("executors", value);
    }
  };

  for (const reference of referencesIn(usage)) {
    if (reference.startsWith("pipeline.parameters.")) {
      const name = reference.slice("pipeline.parameters.".length);
      if (!(name in declaredPipeline)) problems.push(`${where}: << ${reference} >> is not declared in parameters`);
    } else if (reference.startsWith("pipeline.")) {
      if (!PIPELINE_VALUES.has(reference) && !reference.startsWith("pipeline.trigger_parameters.")) problems.push(`${where}: << ${reference} >> is not a pipeline value`);
    } else if (reference.startsWith("parameters.")) {
      // a local job's or command's own parameter: checked below with its definition
    } else {
      problems.push(`${where}: << ${reference} >> is not a known reference`);
    }
  }
  for (const [name, definition] of Object.entries(localJobs)) {
    const job = asMap(definition);
    if (typeof job.executor === "string") resolve("executors", job.executor);
    else if (job.executor !== undefined) resolve("executors", String(asMap(job.executor).name));
    walkSteps(job.steps, `${where}.jobs.${name}`, (step, args) => {
      if (BUILTIN_STEPS.has(step)) return;
      checkArgs(`command ${step}`, resolve("commands", step), args);
    });
  }
  for (const [workflowName, workflow] of Object.entries(asMap(usage.workflows))) {
    for (const entry of (asMap(workflow).jobs ?? []) as unknown[]) {
      const [reference, args] = stepEntry(entry) ?? ["(malformed)", undefined];
      const definition = resolve("jobs", reference);
      checkArgs(`job ${reference} in workflow ${workflowName}`, definition, args, WORKFLOW_KEYS);
    }
  }
  return problems;
}

const WORKFLOW_KEYS = new Set(["context", "requires", "name", "filters", "matrix", "type", "pre-steps", "post-steps", "serial-group", "override-with"]);

function declaration(declared: Record<string, ParameterDeclaration>, key: string): ParameterDeclaration | undefined {
  return declared[key];
}

// ---------------------------------------------------------------------------------------------
// The orb review's rules

export interface ReviewSource {
  orb: Map;
  /** The source YAML of each component, unpacked (for RC009, which is about includes). */
  sourceRunCommands: { where: string; command: string }[];
}

/** RC001, RC002, RC003, RC004, RC005, RC008, RC009, RC010, RC012. */
export function reviewProblems({ orb, sourceRunCommands }: ReviewSource): string[] {
  const problems: string[] = [];
  const display = asMap(orb.display);
  if (typeof display.source_url !== "string" || !/^https:\/\//.test(display.source_url)) problems.push("RC001: display.source_url is missing");
  const description = typeof orb.description === "string" ? orb.description.trim() : "";
  if (description.length < 64) problems.push(`RC005: the orb's description has ${description.length} characters, fewer than 64`);

  for (const section of [...COMPONENTS, "examples"] as const) {
    for (const [name, definition] of Object.entries(asMap(orb[section]))) {
      const where = `${section}.${name}`;
      if (typeof asMap(definition).description !== "string" || String(asMap(definition).description).trim() === "") {
        problems.push(`RC002: ${where} has no description`);
      }
      if (!SNAKE_CASE.test(name)) problems.push(`RC010: ${where} is not snake_case`);
      if (section === "examples") continue;
      for (const [parameter, declared] of Object.entries(asMap(asMap(definition).parameters))) {
        const declaration = asMap(declared);
        if (typeof declaration.description !== "string" || declaration.description.trim() === "") problems.push(`RC002: ${where}.parameters.${parameter} has no description`);
        if (!SNAKE_CASE.test(parameter)) problems.push(`RC010: ${where}.parameters.${parameter} is not snake_case`);
        if (!("type" in declaration)) problems.push(`${where}.parameters.${parameter} has no type`);
        if (!("default" in declaration)) problems.push(`${where}.parameters.${parameter} has no default`);
        if (typeof declaration.default === "string" && /\$\{?[A-Za-z_]/.test(declaration.default)) {
          problems.push(`RC012: ${where}.parameters.${parameter} defaults to an environment variable (${declaration.default}); use an env_var_name parameter`);
        }
      }
      walkSteps(asMap(definition).steps, where, (step, args, stepWhere) => {
        if (step !== "run") return;
        if (typeof args === "string" || typeof asMap(args).name !== "string" || String(asMap(args).name).trim() === "") {
          problems.push(`RC008: the run step at ${stepWhere} has no name`);
        }
      });
    }
  }
  const examples = Object.keys(asMap(orb.examples));
  if (examples.length === 0) problems.push("RC003: the orb has no usage examples");
  for (const name of examples) {
    // orb-tools: a name with the word "example" says nothing; ours must also be more than one word.
    if (name.includes("example") || !name.includes("_")) problems.push(`RC004: the example name ${name} does not say what it shows`);
  }
  for (const { where, command } of sourceRunCommands) {
    const isInclude = /^<<\s*include\([\w/.-]+\)\s*>>$/.test(command.trim());
    if (!isInclude && (command.length > 64 || command.trim().includes("\n"))) {
      problems.push(`RC009: the run command at ${where} is long (${command.length} characters): move it to src/scripts and <<include()>> it`);
    }
  }
  return problems;
}

/** Run step commands of the unpacked source (orb/src), for RC009. */
export function runCommandsOf(component: Map, where: string): { where: string; command: string }[] {
  const found: { where: string; command: string }[] = [];
  walkSteps(component.steps, where, (step, args, stepWhere) => {
    if (step !== "run") return;
    const command = typeof args === "string" ? args : asMap(args).command;
    if (typeof command === "string") found.push({ where: stepWhere, command });
  });
  return found;
}
