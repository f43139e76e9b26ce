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
import { runReapCommand } from "./commands/reap-command.js";
import { runExtendCommand } from "./commands/extend-command.js";
import { runInventoryCommand } from "./commands/inventory-command.js";
import { runMigrateCommand } from "./commands/migrate-command.js";
import { runRunDagCommand } from "./commands/run-dag-command.js";
import { NOTIFY_EVENTS, parseRetries, parseUsd, runNotifyCommand } from "./commands/notify-command.js";
import { parseDuration } from "../core/parse-duration.js";

const DEFAULT_DAG = "warehouse_metrics";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError("expected a TCP port number between 1 and 65535");
  }
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return count;
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
    new Option("--driver <name>", "where the shadow lives: this machine, or a CloudFormation stack on AWS").choices(["local", "aws"]).default("local");
  const awsOnly = () => new Option("--driver <name>", "where the shadows live").choices(["aws"]).default("aws");
  const env = () => new Option("--env <name>", "environment name").default("local");
  const json = () => new Option("--json", "print machine-readable JSON on stdout (progress stays on stderr)");
  const region = () => new Option("--region <region>", "AWS region (aws; default: AWS_REGION)");
  /** What `--driver aws` needs to create a shadow; each has an environment variable too (see README). */
  const awsCreateOptions = (command: Command) =>
    command
      .addOption(region())
      .addOption(new Option("--snapshot <latest|none|id>", "aws: restore the newest production snapshot, none, or this one (default: SHADOWOPS_SNAPSHOT or latest)"))
      .addOption(new Option("--production-cluster <id>", "aws: the production Redshift cluster (default: SHADOWOPS_PRODUCTION_CLUSTER)"))
      .addOption(new Option("--allowed-cidr <cidr>", "aws: the only IPv4 range that may reach Airflow (default: SHADOWOPS_ALLOWED_CIDR)"))
      .addOption(new Option("--repository <owner/name>", "aws: the pull request's repository (default: SHADOWOPS_REPOSITORY)"))
      .addOption(new Option("--pull-request <number>", "aws: the pull request (default: SHADOWOPS_PULL_REQUEST)"))
      .addOption(new Option("--commit <sha>", "aws: the commit (default: SHADOWOPS_COMMIT, else the project's Git HEAD)"))
      .addOption(new Option("--instance-type <type>", "aws: the host's EC2 instance type (default: t3.large)"))
      .addOption(new Option("--node-type <type>", "aws: the Redshift node type (default: ra3.large)"))
      .addOption(new Option("--nodes <count>", "aws: the number of Redshift nodes (default: 1)").argParser(parseCount))
      .addOption(new Option("--ssh-key-name <name>", "aws: an EC2 key pair, for Ansible over SSH (default: SHADOWOPS_SSH_KEY_NAME)"))
      .addOption(new Option("--expires-at <time>", "aws: when the reaper may destroy it, ISO 8601 (instead of --ttl)").conflicts("ttl"));

  const test = program
    .command("test")
    .description("up → migrate → run the DAG → report → down; reuses an environment kept with --keep (`migrate` and `run-dag` are its middle, as separate commands)")
    .addOption(driver())
    .addOption(env())
    .option("--dag <id>", "DAG to run", DEFAULT_DAG)
    .option("--project <dir>", "folder with dags/, r/ and migrations/", process.cwd())
    .option("--keep", "leave the environment up afterwards (inspect it, or re-test warm)", false)
    .option("--ttl <duration>", "how long a kept environment may live, e.g. 4h", parseTtl)
    .option("--airflow-port <port>", "port for Airflow's API server (default: a free one)", parsePort)
    .option("--timeout <duration>", "give up on the DAG run after this long", parseTtl)
    .option("--markdown <file>", "also write the report as GitHub markdown (what the PR check shows) to this file")
    .addOption(json());
  awsCreateOptions(test).action(async (options) => {
    process.exitCode = await runTestCommand(options);
  });

  program
    .command("migrate")
    .description("deploy the project's code into a running environment and apply its pending migrations (the first half of `test`); exit 1 when a migration failed")
    .addOption(driver())
    .addOption(env())
    .option("--project <dir>", "folder with dags/, r/ and migrations/", process.cwd())
    .option("--no-deploy", "skip the deploy: `up` has just deployed this same code")
    .option("--markdown <file>", "also write the report as GitHub markdown to this file")
    .addOption(region())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runMigrateCommand(options);
    });

  program
    .command("run-dag")
    .description("run the DAG in an environment whose migrations are in (the second half of `test`) and report every task; exit 1 when the DAG failed")
    .addOption(driver())
    .addOption(env())
    .option("--dag <id>", "DAG to run", DEFAULT_DAG)
    .option("--timeout <duration>", "give up on the DAG run after this long", parseTtl)
    .option("--migrations <file>", "the report `shadowops migrate --json` wrote: included in this report, and the DAG is refused when they failed")
    .option("--markdown <file>", "also write the report as GitHub markdown (what the PR check shows) to this file")
    .addOption(region())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runRunDagCommand(options);
    });

  const up = program
    .command("up")
    .description("create an environment and leave it running")
    .addOption(driver())
    .addOption(env())
    .option("--project <dir>", "folder with dags/, r/ and migrations/", process.cwd())
    .option("--ttl <duration>", "how long the environment may live, e.g. 4h", parseTtl)
    .option("--airflow-port <port>", "port for Airflow's API server (default: a free one)", parsePort)
    .addOption(json());
  awsCreateOptions(up).action(async (options) => {
    process.exitCode = await runUpCommand(options);
  });

  program
    .command("down")
    .description("destroy an environment and everything it holds")
    .addOption(driver())
    .addOption(env())
    .addOption(region())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runDownCommand(options);
    });

  program
    .command("status")
    .description("show one environment: state, Airflow URL, processes or stack, age, cost")
    .addOption(driver())
    .addOption(env())
    .addOption(region())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runStatusCommand(options);
    });

  program
    .command("list")
    .description("list the environments of a driver")
    .addOption(driver())
    .addOption(region())
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runListCommand(options);
    });

  program
    .command("reap")
    .description("destroy every AWS shadow whose expiry (tag shadowops:expires-at) has passed")
    .addOption(awsOnly())
    .addOption(region())
    .option("--dry-run", "only print what would be destroyed", false)
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runReapCommand(options);
    });

  program
    .command("extend")
    .description("move an AWS shadow's expiry: --ttl from now, --by past the current expiry, or --expires-at")
    .addOption(awsOnly())
    .requiredOption("--env <name>", "environment name")
    .addOption(region())
    .addOption(new Option("--ttl <duration>", "expire this long from now, e.g. 4h").argParser(parseTtl).conflicts(["by", "expiresAt"]))
    .addOption(new Option("--by <duration>", "add this to the current expiry, e.g. 2h").argParser(parseTtl).conflicts(["expiresAt"]))
    .addOption(new Option("--expires-at <time>", "expire at this time, ISO 8601, e.g. 2026-11-28T18:00:00Z"))
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runExtendCommand(options);
    });

  program
    .command("inventory")
    .description("print the Ansible inventory of an AWS shadow, from its stack's outputs")
    .addOption(awsOnly())
    .requiredOption("--env <name>", "environment name")
    .addOption(region())
    .action(async (options) => {
      process.exitCode = await runInventoryCommand(options);
    });

  program
    .command("notify")
    .description("send one signed callback event to the ShadowOps bot (what the orb's steps do); URL and secret from SHADOWOPS_CALLBACK_URL and SHADOWOPS_CALLBACK_SECRET")
    .addOption(new Option("--event <type>", "what happened").choices(NOTIFY_EVENTS).makeOptionMandatory())
    .requiredOption("--env <name>", "the environment the event is about (shadowops_environment)")
    .option("--commit <sha>", "the commit the pipeline deploys (shadowops_commit)")
    .option("--repository <owner/name>", "the repository, recorded in a dag_result report")
    .option("--pipeline-id <id>", "the CircleCI pipeline (default: CIRCLE_PIPELINE_ID)")
    .option("--phase <phase>", "phase: provisioning|configuring|migrating|running|destroying; failed: where it failed")
    .option("--message <text>", "phase: what is happening")
    .option("--reason <text>", "failed (required), destroyed: why")
    .option("--airflow-url <url>", "ready: Airflow's URL")
    .option("--cost-per-hour <usd>", "ready: estimated cost of the environment per hour", parseUsd)
    .option("--report <file>", "dag_result, migrations: the report `shadowops test --json` wrote")
    .option("--url <url>", "the bot's URL (default: SHADOWOPS_CALLBACK_URL)")
    .option("--retries <n>", "further attempts after a connection failure or a 5xx answer, with backoff", parseRetries, 3)
    .option("--best-effort", "warn instead of failing when the bot cannot be reached or refuses (progress events)", false)
    .addOption(json())
    .action(async (options) => {
      process.exitCode = await runNotifyCommand(options);
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
