import { execFileSync } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseDuration } from "../core/parse-duration.js";
import { createAwsClients } from "../drivers/aws/aws-clients.js";
import { AwsDriver } from "../drivers/aws/aws-driver.js";
import { ansibleConfigureHost } from "../drivers/aws/configure-host.js";
import { pgWarehouseConnector } from "../drivers/aws/connect-warehouse.js";
import { secretsManagerLogin } from "../drivers/aws/read-secret.js";
import { LocalDriver } from "../drivers/local/local-driver.js";
import type { ShadowDriver } from "../drivers/shadow-driver.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { postgresSettingsFromEnv, productionDatabaseName } from "../warehouse/postgres-settings.js";
import { UsageError } from "./cli-errors.js";

export interface DriverOptions {
  driver: string;
  airflowPort?: number;
  /** The project folder, whose Git HEAD is the default commit of an AWS shadow. */
  project?: string;
  // The aws driver's options; each falls back on an environment variable (see createAwsDriver).
  region?: string;
  snapshot?: string;
  allowedCidr?: string;
  productionCluster?: string;
  instanceType?: string;
  nodeType?: string;
  nodes?: number;
  repository?: string;
  pullRequest?: string;
  commit?: string;
  expiresAt?: string;
  sshKeyName?: string;
}

/** SHADOWOPS_HOME holds local environments, their logs and caches. */
export function shadowopsHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHADOWOPS_HOME ?? join(homedir(), ".shadowops");
}

export function createDriver(options: DriverOptions, env: NodeJS.ProcessEnv = process.env): ShadowDriver {
  switch (options.driver) {
    case "local":
      return new LocalDriver({
        home: shadowopsHome(env),
        server: postgresSettingsFromEnv(env),
        productionDatabase: productionDatabaseName(env),
        venv: env.SHADOWOPS_AIRFLOW_VENV ?? join(PACKAGE_ROOT, ".venv"),
        airflowPort: options.airflowPort,
        taskRetries: env.SHADOWOPS_TASK_RETRIES ? wholeNumberFromEnv("SHADOWOPS_TASK_RETRIES", env.SHADOWOPS_TASK_RETRIES, RETRIES) : undefined,
        airflowStartTimeoutMs: env.SHADOWOPS_AIRFLOW_START_TIMEOUT
          ? durationFromEnv("SHADOWOPS_AIRFLOW_START_TIMEOUT", env.SHADOWOPS_AIRFLOW_START_TIMEOUT)
          : undefined,
      });
    case "aws":
      return createAwsDriver(options, env);
    default:
      throw new UsageError(`unknown driver "${options.driver}": use local or aws`);
  }
}

/**
 * The aws driver with clients from the SDK's standard configuration (credentials chain,
 * AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS). Options win over environment variables:
 *   --region                AWS_REGION, AWS_DEFAULT_REGION
 *   --allowed-cidr          SHADOWOPS_ALLOWED_CIDR
 *   --production-cluster    SHADOWOPS_PRODUCTION_CLUSTER
 *   --snapshot              SHADOWOPS_SNAPSHOT (default latest)
 *   --repository            SHADOWOPS_REPOSITORY
 *   --pull-request          SHADOWOPS_PULL_REQUEST
 *   --commit                SHADOWOPS_COMMIT, else the project's Git HEAD
 *   --instance-type         SHADOWOPS_INSTANCE_TYPE (default t3.large)
 *   --node-type, --nodes    SHADOWOPS_NODE_TYPE (default ra3.large), SHADOWOPS_WAREHOUSE_NODES (default 1)
 *   --ssh-key-name          SHADOWOPS_SSH_KEY_NAME
 * and without options: SHADOWOPS_TEMPLATE, SHADOWOPS_STACK_TIMEOUT, SHADOWOPS_PERMISSIONS_BOUNDARY_ARN,
 * SHADOWOPS_ANSIBLE_PLAYBOOK, and the local ends of tunnels to what only the shadow host reaches:
 * SHADOWOPS_WAREHOUSE_ADDRESS (the Redshift cluster) and SHADOWOPS_AIRFLOW_ADDRESS (the host's Airflow).
 */
export function createAwsDriver(options: Omit<DriverOptions, "driver">, env: NodeJS.ProcessEnv = process.env): AwsDriver {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError("the aws driver needs a region: pass --region or set AWS_REGION");
  const clients = createAwsClients({ region });
  return new AwsDriver({
    clients,
    settings: {
      region,
      templatePath: env.SHADOWOPS_TEMPLATE ?? join(PACKAGE_ROOT, "cloudformation", "shadow-environment.yaml"),
      allowedCidr: options.allowedCidr ?? env.SHADOWOPS_ALLOWED_CIDR,
      productionCluster: options.productionCluster ?? env.SHADOWOPS_PRODUCTION_CLUSTER,
      snapshot: options.snapshot ?? env.SHADOWOPS_SNAPSHOT ?? "latest",
      instanceType: options.instanceType ?? env.SHADOWOPS_INSTANCE_TYPE,
      nodeType: options.nodeType ?? env.SHADOWOPS_NODE_TYPE,
      nodes: options.nodes ?? (env.SHADOWOPS_WAREHOUSE_NODES ? wholeNumberFromEnv("SHADOWOPS_WAREHOUSE_NODES", env.SHADOWOPS_WAREHOUSE_NODES, NODES) : undefined),
      sshKeyName: options.sshKeyName ?? env.SHADOWOPS_SSH_KEY_NAME,
      permissionsBoundaryArn: env.SHADOWOPS_PERMISSIONS_BOUNDARY_ARN,
      expiresAt: options.expiresAt,
      stackTimeoutMs: env.SHADOWOPS_STACK_TIMEOUT ? durationFromEnv("SHADOWOPS_STACK_TIMEOUT", env.SHADOWOPS_STACK_TIMEOUT) : undefined,
    },
    metadata: {
      repository: options.repository ?? env.SHADOWOPS_REPOSITORY,
      pullRequest: options.pullRequest ?? env.SHADOWOPS_PULL_REQUEST,
      commit: options.commit ?? env.SHADOWOPS_COMMIT ?? gitHead(options.project),
    },
    configureHost: ansibleConfigureHost({ root: PACKAGE_ROOT, ansiblePlaybook: env.SHADOWOPS_ANSIBLE_PLAYBOOK, env }),
    connectWarehouse: pgWarehouseConnector({ readLogin: secretsManagerLogin(clients.secretsManager), address: env.SHADOWOPS_WAREHOUSE_ADDRESS }),
    airflowAddress: env.SHADOWOPS_AIRFLOW_ADDRESS || undefined,
  });
}

function durationFromEnv(name: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}`);
  }
}

/** What a whole-number variable counts, for its error message. */
interface Count {
  what: string;
  min: number;
  examples: string;
}

/** Airflow's task retries (the DAG reads them with Python's int()). */
const RETRIES: Count = { what: "number of retries", min: 0, examples: "0 or 2" };
/** Redshift nodes; the cost estimate checks the upper bound with the node type's prices. */
const NODES: Count = { what: "number of warehouse nodes", min: 1, examples: "1 or 2" };

function wholeNumberFromEnv(name: string, value: string, { what, min, examples }: Count): number {
  const count = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < min) {
    throw new UsageError(`${name}: "${value}" is not a ${what}: use a whole number of ${min} or more, e.g. ${examples}`);
  }
  return count;
}

/** The commit checked out in the project, when it is a Git work tree. */
function gitHead(project: string | undefined): string | undefined {
  if (!project) return undefined;
  try {
    return execFileSync("git", ["-C", project, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}
