import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AirflowClient } from "../../airflow/airflow-client.js";
import { assertEnvironmentName, databaseNameFor } from "../../core/environment-name.js";
import { transition, type EnvironmentState } from "../../core/lifecycle.js";
import type { MigrationResult } from "../../core/migration-result.js";
import type { DagRunResult } from "../../core/shadow-report.js";
import { applyMigrations } from "../../migrations/apply-migrations.js";
import { readMigrationFiles } from "../../migrations/migration-file.js";
import type { PostgresSettings } from "../../warehouse/postgres-settings.js";
import { DatabaseExistsError, EnvironmentExistsError, PortInUseError, UnknownEnvironmentError } from "../driver-errors.js";
import { runDag } from "../run-dag.js";
import type { EnvironmentRecord, ShadowDriver, StepParams, Workload } from "../shadow-driver.js";
import { startAirflow, stopAirflow, type AirflowInstanceRecord } from "./airflow-instance.js";
import { warehouseUri } from "./airflow-settings.js";
import { deployWorkload } from "./deploy-workload.js";
import { EnvironmentStore } from "./environment-store.js";
import { freePorts, isPortFree } from "./tcp-ports.js";
import { WarehouseClone } from "./warehouse-clone.js";

export interface LocalDriverOptions {
  /** Where environments, logs and caches live (SHADOWOPS_HOME). */
  home: string;
  server: PostgresSettings;
  productionDatabase: string;
  /** Virtualenv with Airflow 3. */
  venv: string;
  /** Fixed port for Airflow's API server; a free one when absent. */
  airflowPort?: number;
  airflowStartTimeoutMs?: number;
  taskRetries?: number;
}

/** What the local driver keeps in EnvironmentRecord.details. */
interface LocalDetails {
  database: string;
  workloadDir: string;
  deployedAt?: string;
  airflow?: AirflowInstanceRecord;
  /** How long the production copy took, for reports and benchmarks. */
  cloneMs?: number;
}

const DAG_TIMEOUT_MS = 30 * 60_000;

/**
 * A shadow on this machine: the warehouse is a copy of the production stand-in on the local
 * PostgreSQL, and Airflow 3 runs as four processes with their own home and port.
 */
export class LocalDriver implements ShadowDriver {
  readonly name = "local";
  private readonly store: EnvironmentStore;
  private readonly warehouse: WarehouseClone;

  constructor(private readonly options: LocalDriverOptions) {
    this.store = new EnvironmentStore(options.home);
    this.warehouse = new WarehouseClone(options.server);
  }

  async up(params: StepParams & { ttlMs?: number; workload?: Workload }): Promise<EnvironmentRecord> {
    const { environment, progress, signal } = params;
    assertEnvironmentName(environment);
    const existing = await this.store.read(environment);
    if (existing) throw new EnvironmentExistsError(environment, existing.state);
    if (this.options.airflowPort !== undefined && !(await isPortFree(this.options.airflowPort))) {
      throw new PortInUseError(this.options.airflowPort);
    }

    const now = new Date();
    const dir = this.store.directoryOf(environment);
    const details: LocalDetails = { database: databaseNameFor(environment), workloadDir: join(dir, "workload") };
    let record: EnvironmentRecord = {
      name: environment,
      driver: this.name,
      state: transition("requested", "provisioning"),
      createdAt: now.toISOString(),
      expiresAt: params.ttlMs ? new Date(now.getTime() + params.ttlMs).toISOString() : undefined,
      details: { ...details },
    };
    // Written before anything is created, so `down` can clean up after a crash at any point.
    await this.store.write(record);

    try {
      progress({ phase: "up", message: `copying production (${this.options.productionDatabase}) to ${details.database}` });
      const clone = await this.warehouse.create({ database: details.database, template: this.options.productionDatabase });
      details.cloneMs = Math.round(clone.durationMs);
      progress({ phase: "up", message: `warehouse copied in ${(clone.durationMs / 1000).toFixed(2)} s` });
      signal?.throwIfAborted();

      if (params.workload) {
        await deployWorkload(params.workload, details.workloadDir);
        details.deployedAt = new Date().toISOString();
      }
      const [api, workerLog, triggerLog] = this.options.airflowPort
        ? [this.options.airflowPort, ...(await freePorts(2))]
        : await freePorts(3);
      const airflow = await startAirflow({
        venv: this.options.venv,
        cacheDir: join(this.options.home, "cache"),
        home: join(dir, "airflow"),
        logDir: this.logDirOf(environment),
        dagsFolder: join(details.workloadDir, "dags"),
        rDir: join(details.workloadDir, "r"),
        ports: { api: api!, workerLog: workerLog!, triggerLog: triggerLog! },
        warehouseUri: warehouseUri({ ...this.options.server, database: details.database }),
        taskRetries: this.options.taskRetries,
        timeoutMs: this.options.airflowStartTimeoutMs ?? 180_000,
        progress,
        signal,
        onStarted: async (started) => {
          details.airflow = started;
          record = { ...record, airflowUrl: started.url, details: { ...details } };
          await this.store.write(record);
        },
      });
      progress({ phase: "up", message: `Airflow is healthy at ${airflow.url}` });
      record = { ...record, state: transition(record.state, "configuring"), airflowUrl: airflow.url, details: { ...details } };
      await this.store.write(record);
      return record;
    } catch (error) {
      if (error instanceof DatabaseExistsError) {
        // Nothing was made yet, and that database is someone else's: forget the name, drop nothing.
        await this.store.remove(environment);
        throw error;
      }
      progress({ phase: "up", message: `failed: tearing down ${environment}` });
      await this.down({ environment, progress });
      throw error;
    }
  }

  async configure(params: StepParams & { workload: Workload }): Promise<void> {
    const record = await this.require(params.environment);
    const details = record.details as unknown as LocalDetails;
    params.progress({ phase: "configure", message: "deploying DAGs, R scripts and migrations" });
    await deployWorkload(params.workload, details.workloadDir);
    details.deployedAt = new Date().toISOString();
    await this.save(record, "configuring", details);
  }

  async migrate(params: StepParams & { workload: Workload }): Promise<MigrationResult[]> {
    const record = await this.require(params.environment);
    const details = record.details as unknown as LocalDetails;
    await this.save(record, "migrating", details);
    const client = await this.warehouse.connect(details.database);
    try {
      const files = await readMigrationFiles(join(details.workloadDir, "migrations"));
      const outcome = await applyMigrations({
        client,
        files,
        onMigration: ({ name, index, total }) =>
          params.progress({ phase: "migrate", message: `applying ${name} (${index + 1}/${total})` }),
      });
      if (outcome.unknown.length > 0) {
        params.progress({ phase: "migrate", message: `applied before, no file here: ${outcome.unknown.join(", ")}` });
      }
      return outcome.results;
    } catch (error) {
      await this.save(await this.require(params.environment), "failed", details);
      throw error;
    } finally {
      await client.end();
    }
  }

  async runDag(params: StepParams & { dagId: string; conf?: Record<string, unknown>; timeoutMs?: number }): Promise<DagRunResult> {
    const record = await this.require(params.environment);
    const details = record.details as unknown as LocalDetails;
    if (!details.airflow) throw new Error(`environment ${params.environment} has no Airflow; destroy it and create it again`);
    await this.save(record, "running", details);
    const client = new AirflowClient({ baseUrl: details.airflow.url, username: details.airflow.username, password: details.airflow.password });
    try {
      const result = await runDag({
        client,
        dagId: params.dagId,
        conf: params.conf,
        parsedAfter: details.deployedAt ? new Date(details.deployedAt) : undefined,
        timeoutMs: params.timeoutMs ?? DAG_TIMEOUT_MS,
        scriptOf: (taskId) => (existsSync(join(details.workloadDir, "r", `${taskId}.R`)) ? `r/${taskId}.R` : undefined),
        progress: params.progress,
        signal: params.signal,
      });
      await this.save(await this.require(params.environment), result.state === "success" ? "passed" : "failed", details);
      return result;
    } catch (error) {
      const current = await this.store.read(params.environment);
      if (current && current.state === "running") await this.save(current, "failed", details);
      throw error;
    }
  }

  /** Stops every process, drops the database, removes the home. Tolerates half-built environments. */
  async down(params: StepParams): Promise<void> {
    const { environment, progress } = params;
    const record = await this.require(environment);
    const details = record.details as unknown as LocalDetails;
    if (record.state !== "destroying") await this.store.write({ ...record, state: "destroying" });
    if (details.airflow) {
      progress({ phase: "down", message: "stopping Airflow" });
      await stopAirflow(details.airflow);
    }
    progress({ phase: "down", message: `dropping database ${details.database}` });
    await this.warehouse.drop(details.database);
    await this.store.remove(environment);
    progress({ phase: "down", message: `environment ${environment} destroyed (Airflow logs kept in ${this.logDirOf(environment)})` });
  }

  get(environment: string): Promise<EnvironmentRecord | undefined> {
    return this.store.read(environment);
  }

  list(): Promise<EnvironmentRecord[]> {
    return this.store.list();
  }

  /** Airflow's own logs outlive the environment, so a failed start can still be read. */
  logDirOf(environment: string): string {
    return join(this.options.home, "logs", environment);
  }

  /** Removes the kept logs of an environment (tests use this to leave nothing behind). */
  removeLogs(environment: string): void {
    rmSync(this.logDirOf(environment), { recursive: true, force: true });
  }

  private async require(environment: string): Promise<EnvironmentRecord> {
    const record = await this.store.read(environment);
    if (!record) throw new UnknownEnvironmentError(environment, (await this.store.list()).map((r) => r.name));
    return record;
  }

  private async save(record: EnvironmentRecord, state: EnvironmentState, details: LocalDetails): Promise<void> {
    const next = record.state === state ? state : transition(record.state, state);
    await this.store.write({ ...record, state: next, details: { ...details } });
  }
}
