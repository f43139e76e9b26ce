/**
 * A stand-in for `ansible-playbook ansible/shadow-node.yml` that makes THIS machine the shadow
 * node of an aws environment, for tests where the stack lives in moto (whose EC2 host does not
 * exist to SSH into). It is called the way the aws driver calls Ansible (`-i INVENTORY PLAYBOOK
 * -e @WORKLOAD_VARS`) and does, with the repo's own code, what the playbook's roles do on a host:
 *  - shadowops_workload: copies the DAGs, R scripts and migrations (the local driver's deployWorkload);
 *  - shadowops_airflow: reads the admin login from the Airflow secret named in the inventory
 *    (the driver's secretsManagerLogin, against the emulator) and starts Airflow 3 with it, as the
 *    local driver starts one (startAirflow), on the port the test chose;
 *  - shadowops_connections: builds the `shadow_warehouse` connection with the role's own
 *    warehouse_uri.py, which reads the warehouse secret (boto3, against the emulator): the endpoint
 *    of the inventory, sslmode=verify-full, as on a host, with the test's CA as the CA file where a
 *    host has its system bundle (the role's shadowops_connections_warehouse_sslrootcert).
 * What differs from a host: the warehouse endpoint does not resolve here, so Airflow's tasks get
 * PGHOSTADDR (libpq connects to that address and still sends and uses the endpoint's name), and
 * the warehouse listens on the stand-in's port rather than 5439. Airflow runs as processes, not
 * systemd units. A second run for the same environment (a re-test) only redeploys the code.
 *
 * Inputs, from the environment the CLI passes on: SHADOW_NODE_HOME (one folder per environment,
 * with airflow.json naming its processes), SHADOW_NODE_AIRFLOW_PORT, SHADOW_NODE_WAREHOUSE_AT
 * (address:port where the endpoint's cluster answers), SHADOW_NODE_WAREHOUSE_CA (the CA file that
 * signed the cluster's certificate), SHADOWOPS_TASK_RETRIES, AWS_* (the emulator); FAKE_TOOLS_LOG,
 * when set, records the call like the other stand-ins.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parse } from "yaml";
import { secretsManagerLogin } from "../../src/drivers/aws/read-secret.js";
import { airflowComponentsAlive, startAirflow, stopAirflow, type AirflowInstanceRecord } from "../../src/drivers/local/airflow-instance.js";
import { deployWorkload } from "../../src/drivers/local/deploy-workload.js";
import { freePorts } from "../../src/drivers/local/tcp-ports.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Writes `ansible-playbook` (the stand-in) into `binDir` and returns its path. */
export function writeShadowNodeStandIn(binDir: string): string {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, "ansible-playbook");
  const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
  writeFileSync(file, `#!/usr/bin/env bash\nexec ${JSON.stringify(tsx)} ${JSON.stringify(SELF)} "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** The Airflow the stand-in started for `environment`, if any. */
export function shadowNodeAirflow(home: string, environment: string): AirflowInstanceRecord | undefined {
  const file = join(home, environment, "airflow.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as AirflowInstanceRecord) : undefined;
}

/** Stops the node's Airflow, as terminating the EC2 instance would. */
export async function stopShadowNode(home: string, environment: string): Promise<void> {
  const airflow = shadowNodeAirflow(home, environment);
  if (airflow) await stopAirflow(airflow);
}

// ---------------------------------------------------------------------------------------------
// The stand-in itself, when run as a program.

interface HostVars {
  shadowops_aws_region: string;
  shadowops_warehouse_secret_arn: string;
  shadowops_airflow_secret_arn: string;
  shadowops_warehouse_host: string;
  shadowops_warehouse_database: string;
}

function argument(args: string[], flag: string): string {
  const index = args.indexOf(flag);
  const value = index >= 0 ? args[index + 1] : undefined;
  if (!value) throw new Error(`${flag} is missing: the stand-in is called like ansible-playbook -i INVENTORY PLAYBOOK -e @VARS`);
  return value;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test gives it to the job`);
  return value;
}

async function main(args: string[]): Promise<void> {
  if (process.env.FAKE_TOOLS_LOG) appendFileSync(process.env.FAKE_TOOLS_LOG, `${JSON.stringify(["ansible-playbook", ...args])}\n`);
  const inventory = parse(readFileSync(argument(args, "-i"), "utf8")) as { all: { children: { shadow_nodes: { hosts: Record<string, HostVars> } } } };
  const [[environment, vars]] = Object.entries(inventory.all.children.shadow_nodes.hosts) as [[string, HostVars]];
  const workloadVars = JSON.parse(readFileSync(argument(args, "-e").replace(/^@/, ""), "utf8")) as Record<string, string>;
  const home = join(required("SHADOW_NODE_HOME"), environment);
  console.log(`PLAY [shadow node stand-in: ${environment} on this machine]`);

  console.log("TASK [shadowops_workload : Deploy the DAGs, R scripts and migrations]");
  const workload = await deployWorkload(
    { dagsDir: workloadVars.shadowops_workload_dags_dir!, rDir: workloadVars.shadowops_workload_r_dir!, migrationsDir: workloadVars.shadowops_workload_migrations_dir! },
    join(home, "workload"),
  );

  const running = shadowNodeAirflow(required("SHADOW_NODE_HOME"), environment);
  if (running && Object.values(airflowComponentsAlive(running)).every(Boolean)) {
    console.log(`TASK [shadowops_airflow : Airflow runs at ${running.url}: the dag-processor picks up the redeployed code]`);
    return;
  }

  console.log("TASK [shadowops_airflow : Read the admin login from Secrets Manager]");
  const secrets = new SecretsManagerClient({ region: vars.shadowops_aws_region });
  const admin = await secretsManagerLogin(secrets)(vars.shadowops_airflow_secret_arn);

  console.log("TASK [shadowops_connections : Build the warehouse connection URI on the host]");
  const [address, port] = required("SHADOW_NODE_WAREHOUSE_AT").split(":") as [string, string];
  const built = spawnSync(join(REPO_ROOT, ".venv", "bin", "python"), [join(REPO_ROOT, "ansible", "roles", "shadowops_connections", "files", "warehouse_uri.py")], {
    input: JSON.stringify({
      secret_arn: vars.shadowops_warehouse_secret_arn,
      region: vars.shadowops_aws_region,
      host: vars.shadowops_warehouse_host,
      port: Number(port),
      database: vars.shadowops_warehouse_database,
      user: "",
      password: "",
      sslmode: "verify-full",
      sslrootcert: required("SHADOW_NODE_WAREHOUSE_CA"),
    }),
    encoding: "utf8",
  });
  const answer = JSON.parse(built.stdout || "{}") as { uri?: string; error?: string };
  if (!answer.uri) throw new Error(`warehouse_uri.py: ${answer.error ?? built.stderr}`);

  console.log("TASK [shadowops_airflow : Start the Airflow services]");
  // Inherited by the Airflow processes and so by each task's Rscript: where the endpoint's name leads here.
  process.env.PGHOSTADDR = address;
  const [workerLog, triggerLog] = await freePorts(2);
  const retries = process.env.SHADOWOPS_TASK_RETRIES;
  const airflow = await startAirflow({
    venv: process.env.SHADOWOPS_AIRFLOW_VENV ?? join(REPO_ROOT, ".venv"),
    cacheDir: join(required("SHADOW_NODE_HOME"), "cache"),
    home: join(home, "airflow"),
    logDir: join(home, "logs"),
    dagsFolder: workload.dagsDir,
    rDir: workload.rDir,
    ports: { api: Number(required("SHADOW_NODE_AIRFLOW_PORT")), workerLog: workerLog!, triggerLog: triggerLog! },
    warehouseUri: answer.uri,
    taskRetries: retries === undefined ? undefined : Number(retries),
    admin,
    timeoutMs: 240_000,
    progress: (event) => console.log(`  ${event.message}`),
    onStarted: async (record) => writeFileSync(join(home, "airflow.json"), JSON.stringify(record), { mode: 0o600 }),
  });
  console.log(`ok: Airflow is healthy at ${airflow.url}, logged in as ${admin.username}`);
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: Error) => {
      console.log(`fatal: [shadow node stand-in]: ${error.message}`);
      process.exit(2);
    },
  );
}
