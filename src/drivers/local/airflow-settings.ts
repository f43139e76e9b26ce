import { join } from "node:path";

export interface AirflowInstanceSettings {
  home: string;
  dagsFolder: string;
  rDir: string;
  port: number;
  workerLogPort: number;
  triggerLogPort: number;
  username: string;
  passwordsFile: string;
  fernetKey: string;
  secretKey: string;
  jwtSecret: string;
  /** Connection URI of the environment's warehouse, e.g. postgres://u:p@127.0.0.1:5432/db. */
  warehouseUri: string;
  /** Shared byte-code cache: halves Airflow's start-up where PYTHONDONTWRITEBYTECODE is set. */
  pycacheDir: string;
  /** Task retries for the reference DAG (SHADOWOPS_TASK_RETRIES). */
  taskRetries?: number;
}

/** What to do when the virtualenv's `airflow` is missing or cannot run. */
export function installAirflowHint(venv: string): string {
  return (
    `The local driver runs Airflow 3 from the virtualenv ${venv}: install it with scripts/setup.sh ` +
    `(the virtualenv alone: SHADOWOPS_VENV=${venv} scripts/configure-host.sh), or set SHADOWOPS_AIRFLOW_VENV to a virtualenv that has it.`
  );
}

/**
 * The whole configuration of one local Airflow, as environment variables (checked with
 * Airflow 3.3.2). An empty airflow.cfg in the home stops each process from writing its own.
 * Nothing Airflow-related is inherited from the caller, so two environments never mix.
 */
export function airflowProcessEnv(settings: AirflowInstanceSettings, inherited: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(inherited)) {
    // PYTHONDONTWRITEBYTECODE would defeat the byte-code cache below.
    if (!key.startsWith("AIRFLOW") && !key.startsWith("SHADOWOPS_") && key !== "PYTHONDONTWRITEBYTECODE") env[key] = value;
  }
  const baseUrl = `http://127.0.0.1:${settings.port}`;
  return {
    ...env,
    PYTHONPYCACHEPREFIX: settings.pycacheDir,
    AIRFLOW_HOME: settings.home,
    AIRFLOW__CORE__DAGS_FOLDER: settings.dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    AIRFLOW__CORE__EXECUTOR: "LocalExecutor",
    AIRFLOW__CORE__PARALLELISM: "4",
    AIRFLOW__CORE__FERNET_KEY: settings.fernetKey,
    AIRFLOW__CORE__AUTH_MANAGER: "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${settings.username}:admin`,
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: settings.passwordsFile,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${join(settings.home, "airflow.db")}`,
    AIRFLOW__API__HOST: "127.0.0.1",
    AIRFLOW__API__PORT: String(settings.port),
    AIRFLOW__API__BASE_URL: baseUrl,
    AIRFLOW__API__SECRET_KEY: settings.secretKey,
    AIRFLOW__API_AUTH__JWT_SECRET: settings.jwtSecret,
    // Task workers call back into the api-server; the default assumes port 8080.
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${baseUrl}/execution/`,
    // The log servers of the scheduler and triggerer default to fixed ports 8793/8794,
    // which would collide between environments.
    AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: String(settings.workerLogPort),
    AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: String(settings.triggerLogPort),
    // Fast feedback: new DAG files are seen within ~2 s, task ends noticed within ~1 s.
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: "2",
    AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL: "1",
    AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL: "30",
    AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: "1",
    AIRFLOW__DAG_PROCESSOR__PRINT_STATS_INTERVAL: "0",
    AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME: "0.2",
    AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL: "1",
    AIRFLOW_CONN_SHADOW_WAREHOUSE: settings.warehouseUri,
    SHADOWOPS_R_DIR: settings.rDir,
    ...(settings.taskRetries !== undefined ? { SHADOWOPS_TASK_RETRIES: String(settings.taskRetries) } : {}),
  };
}

export function warehouseUri(params: { host: string; port: number; user: string; password: string; database: string }): string {
  const user = encodeURIComponent(params.user);
  const password = encodeURIComponent(params.password);
  return `postgres://${user}:${password}@${params.host}:${params.port}/${encodeURIComponent(params.database)}`;
}
