/**
 * Every `/shadow` command, in the order help lists them: the parser, the help reply and the
 * docs all read this table, so a command exists in exactly one place.
 */
export const COMMAND_PREFIX = "/shadow";

export interface FlagSpec {
  /** Without the leading dashes. */
  name: string;
  /** Placeholder shown in help, e.g. "ID". */
  value: string;
  help: string;
}

export interface CommandSpec {
  name: "test" | "destroy" | "status" | "extend" | "help";
  /** Positional arguments, e.g. ["DURATION"]. */
  args: readonly string[];
  flags: readonly FlagSpec[];
  help: string;
  /** Whether only people allowed to act (write access or a listed team) may run it. */
  needsPermission: boolean;
}

export const COMMANDS = [
  {
    name: "test",
    args: [],
    flags: [
      { name: "dag", value: "ID", help: "DAG to run (one of the config's `dags`; the first by default)" },
      { name: "snapshot", value: "latest|ID|none", help: "production snapshot to restore (config's `snapshot` by default)" },
      { name: "ttl", value: "DURATION", help: "how long the shadow may live, e.g. 4h (config's `ttl.default` by default)" },
    ],
    help: "Create (or refresh) this PR's shadow at the head commit and run the DAG.",
    needsPermission: true,
  },
  { name: "destroy", args: [], flags: [], help: "Destroy this PR's shadow now.", needsPermission: true },
  { name: "status", args: [], flags: [], help: "Show the shadow's state, time left, cost and links.", needsPermission: false },
  {
    name: "extend",
    args: ["DURATION"],
    flags: [],
    help: "Give the shadow more time, e.g. `/shadow extend 2h` (up to the config's `ttl.max` from now).",
    needsPermission: true,
  },
  { name: "help", args: [], flags: [], help: "Show this help.", needsPermission: false },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMANDS)[number]["name"];

export function commandSpec(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((command) => command.name === name);
  if (!spec) throw new Error(`no command named ${name}`);
  return spec;
}

/** "/shadow test [--dag ID] [--snapshot latest|ID|none] [--ttl DURATION]". */
export function commandUsage(spec: CommandSpec): string {
  const parts = [COMMAND_PREFIX, spec.name, ...spec.args, ...spec.flags.map((flag) => `[--${flag.name} ${flag.value}]`)];
  return parts.join(" ");
}
