import { parseDuration } from "../../core/parse-duration.js";
import { DAG_ID_PATTERN, SNAPSHOT_PATTERN } from "../config/identifiers.js";
import { COMMAND_PREFIX, COMMANDS, type CommandName, type CommandSpec } from "./command-table.js";
import { didYouMean } from "./did-you-mean.js";

export type ShadowCommand =
  | { name: "test"; dag: string | null; snapshot: string | null; ttlMs: number | null }
  | { name: "destroy" }
  | { name: "status" }
  | { name: "extend"; durationMs: number }
  | { name: "help" };

/** Why a `/shadow` line is not a command; the reply explains it and shows help. */
export type CommandProblem =
  | { code: "missing-command" }
  | { code: "unknown-command"; token: string; suggestion: string | null }
  | { code: "unknown-flag"; command: CommandName; token: string; suggestion: string | null }
  | { code: "missing-value"; command: CommandName; flag: string }
  | { code: "repeated-flag"; command: CommandName; flag: string }
  | { code: "invalid-value"; command: CommandName; name: string; value: string; reason: string }
  | { code: "unexpected-argument"; command: CommandName; token: string }
  | { code: "missing-argument"; command: CommandName; argument: string };

export type ParsedComment =
  | { kind: "ignore" }
  | { kind: "reply"; problem: CommandProblem }
  | { kind: "command"; command: ShadowCommand };

const IGNORE = { kind: "ignore" } as const;

/**
 * A PR comment as a `/shadow` command. Only a comment whose first non-empty line starts with
 * `/shadow` is for us (so quoting or mentioning a command elsewhere does nothing); anything
 * else is ignored. Mistakes get a reply that names the problem and the closest valid word.
 */
export function parseCommand(body: string): ParsedComment {
  const line = body.replace(/\r\n?/g, "\n").split("\n").find((candidate) => candidate.trim() !== "")?.trim() ?? "";
  const tokens = line.split(/\s+/).filter((token) => token !== "");
  if (tokens[0]?.toLowerCase() !== COMMAND_PREFIX) return IGNORE;

  const word = tokens[1];
  if (word === undefined) return reply({ code: "missing-command" });
  const spec: CommandSpec | undefined = COMMANDS.find((command) => command.name === word.toLowerCase());
  if (!spec) {
    return reply({ code: "unknown-command", token: word, suggestion: didYouMean(word, COMMANDS.map((command) => command.name)) });
  }
  const parsedArgs = parseArguments(spec, tokens.slice(2));
  if ("code" in parsedArgs) return reply(parsedArgs);
  return toCommand(spec, parsedArgs);
}

interface Arguments {
  positional: string[];
  flags: Map<string, string>;
}

function parseArguments(spec: CommandSpec, tokens: string[]): Arguments | CommandProblem {
  const command = spec.name;
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (!token.startsWith("-")) {
      if (positional.length >= spec.args.length) return { code: "unexpected-argument", command, token };
      positional.push(token);
      continue;
    }
    const [rawName = "", inlineValue] = token.replace(/^--?/, "").split(/=(.*)/s, 2);
    const flag = spec.flags.find((candidate) => candidate.name === rawName.toLowerCase());
    if (!flag) {
      const suggestion = didYouMean(rawName, spec.flags.map((candidate) => candidate.name));
      return { code: "unknown-flag", command, token, suggestion: suggestion === null ? null : `--${suggestion}` };
    }
    if (flags.has(flag.name)) return { code: "repeated-flag", command, flag: `--${flag.name}` };
    const value = inlineValue ?? tokens[i + 1];
    if (value === undefined || value === "" || (inlineValue === undefined && value.startsWith("--"))) {
      return { code: "missing-value", command, flag: `--${flag.name}` };
    }
    if (inlineValue === undefined) i += 1;
    flags.set(flag.name, value);
  }
  const missing = spec.args[positional.length];
  if (missing !== undefined) return { code: "missing-argument", command, argument: missing };
  return { positional, flags };
}

function toCommand(spec: CommandSpec, { positional, flags }: Arguments): ParsedComment {
  switch (spec.name) {
    case "test": {
      const dag = flags.get("dag") ?? null;
      if (dag !== null && !DAG_ID_PATTERN.test(dag)) {
        return invalid("test", "--dag", dag, "a DAG id has only letters, digits, _, . and -");
      }
      const snapshot = flags.get("snapshot") ?? null;
      if (snapshot !== null && !SNAPSHOT_PATTERN.test(snapshot)) {
        return invalid("test", "--snapshot", snapshot, "use latest, none or a snapshot identifier");
      }
      const ttl = flags.get("ttl");
      const ttlMs = ttl === undefined ? null : duration(ttl);
      if (typeof ttlMs === "string") return invalid("test", "--ttl", ttl ?? "", ttlMs);
      return command({ name: "test", dag, snapshot, ttlMs });
    }
    case "extend": {
      const text = positional[0] ?? "";
      const durationMs = duration(text);
      if (typeof durationMs === "string") return invalid("extend", "DURATION", text, durationMs);
      return command({ name: "extend", durationMs });
    }
    default:
      return command({ name: spec.name });
  }
}

/** Milliseconds, or the reason the text is not a duration. */
function duration(text: string): number | string {
  try {
    return parseDuration(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function invalid(command: CommandName, name: string, value: string, reason: string): ParsedComment {
  return reply({ code: "invalid-value", command, name, value, reason });
}

function reply(problem: CommandProblem): ParsedComment {
  return { kind: "reply", problem };
}

function command(parsed: ShadowCommand): ParsedComment {
  return { kind: "command", command: parsed };
}
