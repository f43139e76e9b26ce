/**
 * The `shadowops` command line: every command is declared here; each one's work is an
 * async function in ./commands. Errors are turned into messages and exit codes once, in
 * `runCli` (codes: see cli-errors.ts and README).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EXIT, ExitError } from "./cli-errors.js";
import { toExitError } from "./to-exit-error.js";
import { runTestCommand } from "./commands/test-command.js";
import { runUpCommand } from "./commands/up-command.js";
import { runDownCommand } from "./commands/down-command.js";
import { runStatusCommand } from "./commands/status-command.js";
import { runListCommand } from "./commands/list-command.js";
import { parseDuration } from "../core/parse-duration.js";

const DEFAULT_DAG = "warehouse_metrics";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError("expected a TCP port number between 1 and 65535");
  }
  return port;
}

function parseTtl(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function buildProgram(): Command {
  const program = new Command("shadowops")
    .description("Test data-pipeline changes against an ephemeral shadow of production.")
    .showHelpAfterError("(run `shadowops help` for the commands)")
    .showSuggestionAfterError(true)
    .exitOverride();

  const driver = () =>
    new Option("--driver <name>", "where the shadow lives").choices(["local"]).default("local");
  const env = () => new Option("--env <name>", "environment name").default("local");
  const json = () => new Option("--json", "print machine-readable JSON on stdout, no progress");

  program
    .command("test")
    .description("up → migrate → run the DAG → report → down; reuses an environment kept with --keep")
    .addOption(driver())
    .addOption(env())
    .option("--dag <id>", "DAG to run", DEFAULT_DAG)
    .option("--project <dir>", "folder with dags/, r/ and migrations/", process.cwd())
    .option("--keep", "leave the environment up afterwards (inspect it, or re-test warm)", false)
    .option("--ttl <duration>", "how long a kept environment may live, e.g. 4h", parseTtl)
    .option("--airflow-port <port>", "port for Airflow's API server (default: a free one)", parsePort)
    .option("--timeout <duration>", "give up on the DAG run after this long", parseTtl)
    .option("--markdown <file>", "also write the report as GitHub markdown (what the PR check shows) to this file")
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runTestCommand(options);
    });

  program
    .command("up")
    .description("create an environment and leave it running")
    .addOption(driver())
    .addOption(env())
    .option("--project <dir>", "folder with dags/, r/ and migrations/", process.cwd())
    .option("--ttl <duration>", "how long the environment may live, e.g. 4h", parseTtl)
    .option("--airflow-port <port>", "port for Airflow's API server (default: a free one)", parsePort)
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runUpCommand(options);
    });

  program
    .command("down")
    .description("destroy an environment and everything it holds")
    .addOption(driver())
    .addOption(env())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runDownCommand(options);
    });

  program
    .command("status")
    .description("show one environment: state, Airflow URL, processes, age")
    .addOption(driver())
    .addOption(env())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runStatusCommand(options);
    });

  program
    .command("list")
    .description("list the environments of a driver")
    .addOption(driver())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runListCommand(options);
    });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (and help for `--help`) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const exit = toExitError(error);
    process.stderr.write(`shadowops: ${exit.message}\n`);
    if (exit.exitCode === EXIT.internal && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return exit.exitCode;
  }
}

export { ExitError };
