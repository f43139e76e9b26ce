import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  ListStacksCommand,
  UpdateStackCommand,
  type Change,
  type CloudFormationClient,
  type Parameter,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { RedshiftClient } from "@aws-sdk/client-redshift";
import type { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AirflowClient } from "../../airflow/airflow-client.js";
import { AirflowConnectionError } from "../../airflow/airflow-errors.js";
import type { AirflowClientOptions } from "../../airflow/airflow-types.js";
import { assertEnvironmentName } from "../../core/environment-name.js";
import type { EnvironmentState } from "../../core/lifecycle.js";
import type { MigrationResult } from "../../core/migration-result.js";
import type { DagRunResult } from "../../core/shadow-report.js";
import { applyMigrations } from "../../migrations/apply-migrations.js";
import { readMigrationFiles } from "../../migrations/migration-file.js";
import { EnvironmentExistsError, UnknownEnvironmentError } from "../driver-errors.js";
import type { Progress } from "../progress.js";
import { runDag, waitUntilParsed } from "../run-dag.js";
import type { EnvironmentRecord, ShadowDriver, StepParams, Workload } from "../shadow-driver.js";
import { parseAllowedCidr } from "./allowed-cidr.js";
import {
  AwsFailureError,
  awsErrorName,
  ExtendWouldReplaceError,
  HostAirflowUnreachableError,
  InvalidExpiresAtError,
  isStackMissing,
  LeftoverResourcesError,
  MissingSettingError,
  MissingStackOutputError,
  StackFailedError,
  StackNotReadyError,
  StackStuckError,
  StackTimeoutError,
  TemplateNotFoundError,
  toAwsError,
} from "./aws-errors.js";
import type { ConfigureHost } from "./configure-host.js";
import { pgWarehouseConnector, type ConnectWarehouse } from "./connect-warehouse.js";
import { estimateCost, type CostEstimate } from "./cost-estimate.js";
import { currentHostImage } from "./host-image.js";
import { secretsManagerLogin, type ReadLogin } from "./read-secret.js";
import { removeLeftovers } from "./remove-leftovers.js";
import { setWarehousePassword } from "./set-warehouse-password.js";
import { missingInventoryOutputs, renderInventory } from "./render-inventory.js";
import { parseSnapshotSelector, resolveSnapshot, type ResolvedSnapshot } from "./resolve-snapshot.js";
import { formatExpiresAt, parseExpiresAt, SHADOW_TAG, shadowTags, tagMap, validateMetadata, type ShadowMetadata } from "./shadow-tags.js";
import { stackNameFor, STACK_NAME_PREFIX } from "./stack-name.js";
import { airflowUrlThrough, parseTunnelAddress, type TunnelAddress } from "./tunnel-address.js";
import { StackEventFollower, failureReasons } from "./stack-events.js";
import { isInProgress, lifecycleStateOf, READY_STATUSES } from "./stack-status.js";
import { DEFAULT_POLL, describeStack, waitForStack, type PollTiming } from "./wait-for-stack.js";

/** The AWS API clients the driver uses; built once by the CLI, handed in by tests. */
export interface AwsClients {
  cloudFormation: CloudFormationClient;
  redshift: RedshiftClient;
  tagging: ResourceGroupsTaggingAPIClient;
  ec2: EC2Client;
  secretsManager: SecretsManagerClient;
}

export interface AwsDriverSettings {
  region: string;
  /** cloudformation/shadow-environment.yaml */
  templatePath: string;
  /** The only range that may reach Airflow (and SSH); required by `up`. */
  allowedCidr?: string;
  /** The production Redshift cluster whose snapshots `--snapshot latest` picks from. */
  productionCluster?: string;
  /** latest (default) | none | a snapshot identifier */
  snapshot?: string;
  /** EC2 instance type of the host (default t3.large, the template's). */
  instanceType?: string;
  /** Redshift node type (default ra3.large, the template's) and count (default 1). */
  nodeType?: string;
  nodes?: number;
  /** An EC2 key pair for Ansible over SSH; without one the host has no SSH port. */
  sshKeyName?: string;
  /** The deployer role's HostPermissionsBoundaryArn output, when deploying with that role. */
  permissionsBoundaryArn?: string;
  /** An explicit expiry (ISO 8601 with zone) instead of now + TTL. */
  expiresAt?: string;
  /** TTL when neither a TTL nor an expiry is given (default 4 h): every AWS shadow expires. */
  defaultTtlMs?: number;
  /** Give up on CloudFormation after this long (default 60 min; restores of big snapshots take a while). */
  stackTimeoutMs?: number;
  /** How often to try DeleteStack again after DELETE_FAILED (default 1). */
  deleteRetries?: number;
}

/** How an environment is reached after `up`: Airflow's login, a warehouse connection. */
export interface AwsDriverOptions {
  clients: AwsClients;
  settings: AwsDriverSettings;
  /** The pull request the shadow belongs to, as given (validated by `up`). */
  metadata?: { repository?: string; pullRequest?: string | number; commit?: string };
  /** Configures the host after the stack is up; default: none given = the host is left as is. */
  configureHost?: ConfigureHost;
  /** Default: PostgreSQL protocol over TLS with the warehouse secret's login. */
  connectWarehouse?: ConnectWarehouse;
  /** Reads a generated login; default: Secrets Manager. */
  readLogin?: ReadLogin;
  /**
   * host:port of a tunnel to the host's Airflow (SHADOWOPS_AIRFLOW_ADDRESS), for when the stack's
   * Airflow URL cannot be reached from here: the client connects there instead, everything else
   * (login, the URL people are shown) stays the stack's.
   */
  airflowAddress?: string;
  /** Builds the Airflow client of an environment (tests hand in one with a fake fetch). */
  airflowClient?: (options: AirflowClientOptions) => AirflowClient;
  /** How long a redeploy may take to be parsed by Airflow (default 3 minutes). */
  reparseTimeoutMs?: number;
  now?: () => Date;
  poll?: Partial<PollTiming>;
}

/** What the aws driver keeps in EnvironmentRecord.details: everything comes from the stack. */
export interface AwsDetails {
  stackName: string;
  stackId?: string;
  stackStatus: string;
  stackStatusReason?: string;
  region: string;
  repository?: string;
  pullRequest?: string;
  commit?: string;
  outputs: Record<string, string>;
  parameters: Record<string, string>;
  snapshot?: string;
  warehouseDatabase: string;
  cost?: { hourlyUsd: number; summary: string };
}

export interface ReapResult {
  dryRun: boolean;
  /** Environments whose expiry has passed (destroyed, or to destroy on a dry run). */
  expired: { name: string; expiresAt: string }[];
  destroyed: string[];
  /** Environments whose expiry cannot be read; left alone. */
  skipped: { name: string; reason: string }[];
  failed: { name: string; error: string }[];
}

/** Parameters the driver passes on every create, so `extend` can keep each one's previous value. */
const DRIVER_PARAMETERS = [
  "EnvironmentName",
  "Repository",
  "PullRequest",
  "CommitSha",
  "ExpiresAt",
  "AllowedCidr",
  "HostInstanceType",
  "SshKeyName",
  "HostPermissionsBoundaryArn",
  "WarehouseNodeType",
  "WarehouseNumberOfNodes",
  "WarehouseDatabaseName",
  "WarehouseMasterUsername",
  "SnapshotIdentifier",
  "SnapshotClusterIdentifier",
  "PinnedHostImageId",
] as const;

type DriverParameter = (typeof DRIVER_PARAMETERS)[number];

const DEFAULTS = {
  instanceType: "t3.large",
  nodeType: "ra3.large",
  nodes: 1,
  ttlMs: 4 * 3_600_000,
  stackTimeoutMs: 60 * 60_000,
  warehouseDatabase: "warehouse",
  masterUsername: "shadowops_admin",
} as const;

const FOLLOW_IN_CONSOLE =
  "CloudFormation carries on: follow it in the CloudFormation console or with `shadowops status --driver aws`, and run the command again when it is done.";

/** CloudFormation's limit for TemplateBody; bigger templates must come from S3. */
const TEMPLATE_BODY_LIMIT = 51_200;
const DAG_TIMEOUT_MS = 30 * 60_000;
/** How long a redeploy may take to be parsed: several DAG files on a small host. */
const REPARSE_TIMEOUT_MS = 3 * 60_000;

/**
 * A shadow on AWS: one CloudFormation stack per environment (`shadowops-<env>`, from
 * cloudformation/shadow-environment.yaml), tagged with its pull request and expiry, configured by
 * Ansible. The stack is the only record: `list`, `reap` and a CI job on another machine all see
 * the same thing, and nothing on disk can drift from AWS.
 */
export class AwsDriver implements ShadowDriver {
  readonly name = "aws";
  private readonly cf: CloudFormationClient;
  private readonly poll: PollTiming;
  private readonly now: () => Date;
  private readonly readLogin: ReadLogin;
  private readonly connectWarehouse: ConnectWarehouse;
  private readonly airflowTunnel?: TunnelAddress;
  /** Lifecycle states seen in this process (AWS keeps none: see lifecycleStateOf). */
  private readonly states = new Map<string, EnvironmentState>();
  /** When the workload was last deployed, so a DAG parsed before it does not count. */
  private readonly deployed = new Map<string, { at: Date; workload: Workload }>();

  constructor(private readonly options: AwsDriverOptions) {
    this.cf = options.clients.cloudFormation;
    this.poll = { ...DEFAULT_POLL, ...options.poll };
    this.now = options.now ?? (() => new Date());
    this.readLogin = options.readLogin ?? secretsManagerLogin(options.clients.secretsManager);
    this.connectWarehouse =
      options.connectWarehouse ?? pgWarehouseConnector({ readLogin: this.readLogin, address: process.env.SHADOWOPS_WAREHOUSE_ADDRESS });
    // Checked here, so a malformed address is refused before anything is created.
    this.airflowTunnel = options.airflowAddress ? parseTunnelAddress("SHADOWOPS_AIRFLOW_ADDRESS", options.airflowAddress, "127.0.0.1:18080") : undefined;
  }

  get region(): string {
    return this.options.settings.region;
  }

  /**
   * The estimate for the configured sizes; throws UnknownPriceError for a type the price table
   * does not know. Shown by `up` (before anything is created) and `status`.
   */
  estimate(): CostEstimate {
    const { settings } = this.options;
    return estimateCost({
      instanceType: settings.instanceType ?? DEFAULTS.instanceType,
      nodeType: settings.nodeType ?? DEFAULTS.nodeType,
      nodes: settings.nodes ?? DEFAULTS.nodes,
      region: settings.region,
    });
  }

  async up(params: StepParams & { ttlMs?: number; workload?: Workload }): Promise<EnvironmentRecord> {
    const { environment, progress, signal } = params;
    const stackName = stackNameFor(environment);
    // Everything that can be checked without AWS is checked before the first call.
    const plan = await this.planCreate(environment, params.ttlMs);

    const existing = await describeStack(this.cf, stackName);
    if (existing) throw new EnvironmentExistsError(environment, existing.StackStatus ?? "unknown");
    progress({ phase: "up", message: `estimated cost ${plan.cost.summary}` });

    const snapshot = await resolveSnapshot({
      redshift: this.options.clients.redshift,
      selector: plan.snapshot,
      productionCluster: this.options.settings.productionCluster,
      region: this.region,
    });
    progress({
      phase: "up",
      message: snapshot
        ? `warehouse: restoring snapshot ${snapshot.identifier} of ${snapshot.clusterIdentifier}${snapshot.createdAt ? ` (taken ${snapshot.createdAt})` : ""}`
        : "warehouse: empty (--snapshot none)",
    });

    this.states.set(environment, "provisioning");
    const events = new StackEventFollower(this.cf, stackName, progress, "up");
    const stackTimeoutMs = this.options.settings.stackTimeoutMs ?? DEFAULTS.stackTimeoutMs;
    try {
      const created = await this.cf.send(
        new CreateStackCommand({
          StackName: stackName,
          TemplateBody: plan.templateBody,
          Parameters: toParameters(this.createParameters(environment, plan, snapshot)),
          Tags: shadowTags({ environment, ...plan.metadata, expiresAt: plan.expiresAt }),
          Capabilities: ["CAPABILITY_IAM"],
          // A failed creation removes itself; `up` then checks that nothing is left.
          OnFailure: "DELETE",
          TimeoutInMinutes: Math.max(1, Math.ceil(stackTimeoutMs / 60_000)),
          // The SDK repeats this token when it retries the call, so a retry cannot make a twin.
          ClientRequestToken: `shadowops-up-${randomUUID()}`,
        }),
      );
      if (created.StackId) events.follow(created.StackId);
    } catch (error) {
      this.states.delete(environment);
      if (awsErrorName(error) === "AlreadyExistsException") {
        // Another `up` of the same environment got there first: the name is the lock.
        const raced = await describeStack(this.cf, stackName);
        throw new EnvironmentExistsError(environment, raced?.StackStatus ?? "being created");
      }
      throw toAwsError(error, "CreateStack");
    }
    progress({ phase: "up", message: `creating stack ${stackName} in ${this.region}` });

    try {
      const stack = await waitForStack({
        client: this.cf,
        stackName,
        events,
        poll: this.poll,
        timeoutMs: stackTimeoutMs,
        signal,
        onTimeout: (status) =>
          new StackTimeoutError(
            stackName,
            status,
            Math.round(stackTimeoutMs / 60_000),
            "It was deleted. If restoring your snapshot takes longer, allow more time with SHADOWOPS_STACK_TIMEOUT (e.g. 90m).",
          ),
      });
      if (!stack || stack.StackStatus !== "CREATE_COMPLETE") {
        await this.failCreate(environment, stack, events, progress);
      }
      let record = this.toRecord(stack!);
      progress({ phase: "up", message: `stack ${stackName} is ready${record.airflowUrl ? `; Airflow will be at ${record.airflowUrl}` : ""}` });
      if (snapshot) {
        const outputs = requireOutputs(record.details as unknown as AwsDetails, ["WarehouseClusterIdentifier", "WarehouseSecretArn"]);
        await setWarehousePassword({
          redshift: this.options.clients.redshift,
          readLogin: this.readLogin,
          clusterIdentifier: outputs.WarehouseClusterIdentifier,
          secretArn: outputs.WarehouseSecretArn,
          snapshot: snapshot.identifier,
          poll: this.poll,
          timeoutMs: stackTimeoutMs,
          progress,
          signal,
        });
      }
      if (params.workload) {
        await this.configureHostOf(record, params.workload, progress, signal);
      } else {
        progress({ phase: "up", message: "no workload given: the host is not configured yet (run `shadowops test --keep` to configure it)" });
      }
      this.states.set(environment, "configuring");
      record = { ...record, state: "configuring" };
      return record;
    } catch (error) {
      if (error instanceof StackFailedError) throw error;
      // Like the local driver: a failed or interrupted `up` leaves nothing behind.
      progress({ phase: "up", message: `failed: tearing down ${environment}` });
      try {
        await this.down({ environment, progress });
      } catch (teardown) {
        if (error instanceof Error) error.message += `\nTearing down failed as well: ${(teardown as Error).message}`;
      }
      throw error;
    }
  }

  async configure(params: StepParams & { workload: Workload }): Promise<void> {
    const record = await this.require(params.environment, { ready: true });
    this.states.set(params.environment, "configuring");
    await this.configureHostOf(record, params.workload, params.progress, params.signal);
  }

  async migrate(params: StepParams & { workload: Workload }): Promise<MigrationResult[]> {
    const record = await this.require(params.environment, { ready: true });
    const details = record.details as unknown as AwsDetails;
    const outputs = requireOutputs(details, ["WarehouseEndpoint", "WarehousePort", "WarehouseSecretArn"]);
    this.states.set(params.environment, "migrating");
    const client = await this.connectWarehouse({
      host: outputs.WarehouseEndpoint,
      port: Number(outputs.WarehousePort),
      database: details.warehouseDatabase,
      secretArn: outputs.WarehouseSecretArn,
    });
    try {
      const files = await readMigrationFiles(params.workload.migrationsDir);
      const outcome = await applyMigrations({
        client,
        files,
        onMigration: ({ name, index, total }) => params.progress({ phase: "migrate", message: `applying ${name} (${index + 1}/${total})` }),
      });
      if (outcome.unknown.length > 0) {
        params.progress({ phase: "migrate", message: `applied before, no file here: ${outcome.unknown.join(", ")}` });
      }
      return outcome.results;
    } catch (error) {
      this.states.set(params.environment, "failed");
      throw error;
    } finally {
      await client.end();
    }
  }

  async runDag(params: StepParams & { dagId: string; conf?: Record<string, unknown>; timeoutMs?: number }): Promise<DagRunResult> {
    const record = await this.require(params.environment, { ready: true });
    const details = record.details as unknown as AwsDetails;
    requireOutputs(details, ["AirflowUrl", "AirflowSecretArn"]);
    this.states.set(params.environment, "running");
    const client = await this.airflowClientOf(record);
    const deployed = this.deployed.get(params.environment);
    try {
      const result = await runDag({
        client,
        dagId: params.dagId,
        conf: params.conf,
        parsedAfter: deployed?.at,
        timeoutMs: params.timeoutMs ?? DAG_TIMEOUT_MS,
        scriptOf: (taskId) => (deployed && existsSync(join(deployed.workload.rDir, `${taskId}.R`)) ? `r/${taskId}.R` : undefined),
        progress: params.progress,
        signal: params.signal,
      });
      this.states.set(params.environment, result.state === "success" ? "passed" : "failed");
      return result;
    } catch (error) {
      this.states.set(params.environment, "failed");
      if (error instanceof AirflowConnectionError) throw new HostAirflowUnreachableError(error.url, error.reason, this.airflowTunnel !== undefined);
      throw error;
    }
  }

  /**
   * Deletes the stack (retrying once after DELETE_FAILED), then removes what the environment's
   * warehouse left and checks by tag that nothing else remains. Safe on a half-built environment,
   * and quiet when there is nothing at all (so a teardown after a failed `up` cannot hide why it failed).
   */
  async down(params: StepParams): Promise<void> {
    const { environment, progress } = params;
    const stackName = stackNameFor(environment);
    this.states.set(environment, "destroying");
    const existed = await this.deleteStack(stackName, progress);
    if (!existed) progress({ phase: "down", message: `there is no stack ${stackName}; checking for resources left by an earlier one` });
    const leftovers = await this.removeLeftoversOf(environment, stackName, progress);
    this.states.delete(environment);
    this.deployed.delete(environment);
    if (leftovers.length > 0) throw new LeftoverResourcesError(environment, leftovers);
    progress({ phase: "down", message: existed ? `environment ${environment} destroyed; nothing of it is left` : `nothing of ${environment} exists` });
  }

  async get(environment: string): Promise<EnvironmentRecord | undefined> {
    const stack = await describeStack(this.cf, stackNameFor(environment));
    return stack ? this.toRecord(stack) : undefined;
  }

  /**
   * Every shadow stack in the region (by its shadowops:environment tag). ListStacks first,
   * then DescribeStacks by name: the deployer role allows Describe only on `shadowops-*`
   * stacks, and a DescribeStacks without a name is checked against every stack.
   */
  async list(): Promise<EnvironmentRecord[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.cf.send(new ListStacksCommand({ NextToken: nextToken }));
        for (const summary of page.StackSummaries ?? []) {
          if (summary.StackStatus !== "DELETE_COMPLETE" && summary.StackName?.startsWith(STACK_NAME_PREFIX)) {
            names.push(summary.StackName);
          }
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      throw toAwsError(error, "ListStacks");
    }
    const stacks = (await Promise.all([...new Set(names)].map((name) => describeStack(this.cf, name)))).filter(
      (stack): stack is Stack => stack !== undefined && stack.StackStatus !== "DELETE_COMPLETE",
    );
    return stacks
      .filter((stack) => tagMap(stack.Tags)[SHADOW_TAG.environment] !== undefined)
      .map((stack) => this.toRecord(stack))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Moves the expiry: `ttlMs` from now, `byMs` past the current expiry (or now, if that has
   * passed), or to `until`. The stack is updated with the same template and parameters but the
   * new ExpiresAt and tags, so every resource carries the new time, and with the host's current
   * image pinned: CloudFormation re-resolves the image parameter on every update, and a newer
   * Ubuntu image would otherwise replace the configured host. A change set still shows first
   * what the update would do; if it would replace or remove anything, nothing is changed and the
   * error says so.
   */
  async extend(params: { environment: string; ttlMs?: number; byMs?: number; until?: string; progress: Progress }): Promise<EnvironmentRecord> {
    const { environment, progress } = params;
    const stackName = stackNameFor(environment);
    const given = [params.ttlMs, params.byMs, params.until].filter((value) => value !== undefined).length;
    if (given !== 1) throw new MissingSettingError("extend needs exactly one of --ttl (from now), --by (added to the expiry) or --expires-at");
    const until = params.until !== undefined ? parseExpiresAt(params.until, "--expires-at") : undefined;
    if (until && until.getTime() <= this.now().getTime()) {
      throw new InvalidExpiresAtError(params.until!, "--expires-at is in the past");
    }

    const stack = await describeStack(this.cf, stackName);
    if (!stack) throw new UnknownEnvironmentError(environment, (await this.list()).map((record) => record.name));
    const status = stack.StackStatus ?? "unknown";
    if (!READY_STATUSES.has(status)) {
      throw new StackNotReadyError(`stack ${stackName} is ${status}: only a ready environment can be extended. See \`shadowops status --driver aws --env ${environment}\`.`);
    }
    const tags = tagMap(stack.Tags);
    const now = this.now();
    let expiresAt: Date;
    if (until) expiresAt = until;
    else if (params.ttlMs !== undefined) expiresAt = new Date(now.getTime() + params.ttlMs);
    else {
      const current = tags[SHADOW_TAG.expiresAt];
      const base = current ? Math.max(parseExpiresAt(current, `the ${SHADOW_TAG.expiresAt} tag of ${stackName}`).getTime(), now.getTime()) : now.getTime();
      expiresAt = new Date(base + params.byMs!);
    }
    const value = formatExpiresAt(expiresAt);
    const changed: Partial<Record<DriverParameter, string>> = { ExpiresAt: value };
    if (stack.Parameters?.some((parameter) => parameter.ParameterKey === "PinnedHostImageId")) {
      const details = this.toRecord(stack).details as unknown as AwsDetails;
      const { HostInstanceId } = requireOutputs(details, ["HostInstanceId"]);
      changed.PinnedHostImageId = await currentHostImage(this.options.clients.ec2, HostInstanceId, stackName);
      progress({ phase: "extend", message: `keeping the host's image ${changed.PinnedHostImageId}, whatever the image parameter resolves to now` });
    } else {
      progress({ phase: "extend", message: `stack ${stackName} predates PinnedHostImageId: CloudFormation resolves the host image again` });
    }
    const update = {
      StackName: stackName,
      UsePreviousTemplate: true,
      Parameters: updateParameters(stack.Parameters ?? [], changed),
      Tags: Object.entries({ ...tags, [SHADOW_TAG.expiresAt]: value }).map(([Key, Value]) => ({ Key, Value })),
      Capabilities: ["CAPABILITY_IAM" as const],
    };

    progress({ phase: "extend", message: `checking what moving the expiry of ${environment} to ${value} would change` });
    const changes = await this.previewUpdate(stackName, update);
    if (changes === "none") {
      progress({ phase: "extend", message: `${environment} already expires at ${value}` });
      return this.toRecord(stack);
    }
    const destructive = changes
      .map((change) => change.ResourceChange)
      .filter((change) => change && (change.Action === "Remove" || change.Replacement === "True" || change.Replacement === "Conditional"))
      .map((change) => `${change!.LogicalResourceId} (${change!.ResourceType})`);
    if (destructive.length > 0) throw new ExtendWouldReplaceError(environment, destructive);

    const events = new StackEventFollower(this.cf, stack.StackId ?? stackName, progress, "extend");
    await events.prime().catch(() => undefined);
    try {
      await this.cf.send(new UpdateStackCommand({ ...update, ClientRequestToken: `shadowops-extend-${randomUUID()}` }));
    } catch (error) {
      if (awsErrorName(error) === "ValidationError" && /No updates are to be performed/i.test((error as Error).message)) {
        return this.toRecord(stack);
      }
      throw toAwsError(error, "UpdateStack");
    }
    const updated = await waitForStack({
      client: this.cf,
      stackName,
      events,
      poll: this.poll,
      timeoutMs: this.options.settings.stackTimeoutMs ?? DEFAULTS.stackTimeoutMs,
      onTimeout: (current) => new StackTimeoutError(stackName, current, this.stackTimeoutMinutes(), FOLLOW_IN_CONSOLE),
    });
    if (!updated || updated.StackStatus !== "UPDATE_COMPLETE") {
      throw new StackStuckError(
        stackName,
        updated?.StackStatus ?? "gone",
        failureReasons(events.all()),
        "The expiry was not moved; the environment is otherwise unchanged. Fix the cause above and run extend again.",
      );
    }
    progress({ phase: "extend", message: `${environment} now expires at ${value}` });
    return this.toRecord(updated);
  }

  /**
   * Destroys every environment whose expiry has passed. A dry run only says which. Environments
   * whose expiry cannot be read are reported and left alone; one failure does not stop the rest.
   */
  async reap(params: { dryRun: boolean; progress: Progress }): Promise<ReapResult> {
    const { dryRun, progress } = params;
    const now = this.now();
    const result: ReapResult = { dryRun, expired: [], destroyed: [], skipped: [], failed: [] };
    for (const record of await this.list()) {
      if (!record.expiresAt) {
        result.skipped.push({ name: record.name, reason: `no ${SHADOW_TAG.expiresAt} tag` });
        continue;
      }
      let expiresAt: Date;
      try {
        expiresAt = parseExpiresAt(record.expiresAt, `the ${SHADOW_TAG.expiresAt} tag of ${stackNameFor(record.name)}`);
      } catch (error) {
        result.skipped.push({ name: record.name, reason: (error as Error).message });
        continue;
      }
      if (expiresAt.getTime() > now.getTime()) continue;
      result.expired.push({ name: record.name, expiresAt: record.expiresAt });
      if (dryRun) {
        progress({ phase: "reap", message: `would destroy ${record.name} (expired ${record.expiresAt})` });
        continue;
      }
      progress({ phase: "reap", message: `destroying ${record.name} (expired ${record.expiresAt})` });
      try {
        await this.down({ environment: record.name, progress });
        result.destroyed.push(record.name);
      } catch (error) {
        result.failed.push({ name: record.name, error: (error as Error).message });
      }
    }
    return result;
  }

  /** The Ansible inventory of a ready environment (see render-inventory.ts). */
  async inventory(environment: string): Promise<string> {
    const record = await this.require(environment, { ready: true });
    return this.inventoryOf(record);
  }

  // ------------------------------------------------------------------------------------------

  private async planCreate(environment: string, ttlMs: number | undefined) {
    assertEnvironmentName(environment);
    const { settings } = this.options;
    if (!settings.allowedCidr) {
      throw new MissingSettingError(
        "an AWS shadow needs the IPv4 range allowed to reach Airflow: pass --allowed-cidr or set SHADOWOPS_ALLOWED_CIDR " +
          "(for example your office's range, or your address from https://checkip.amazonaws.com followed by /32).",
      );
    }
    const allowedCidr = parseAllowedCidr(settings.allowedCidr);
    const metadata: ShadowMetadata = validateMetadata(this.options.metadata ?? {});
    const snapshot = parseSnapshotSelector(settings.snapshot ?? "latest");
    const cost = this.estimate();
    let expiresAt: Date;
    if (settings.expiresAt !== undefined) {
      expiresAt = parseExpiresAt(settings.expiresAt, "--expires-at");
      if (expiresAt.getTime() <= this.now().getTime()) throw new InvalidExpiresAtError(settings.expiresAt, "--expires-at is in the past");
    } else {
      expiresAt = new Date(this.now().getTime() + (ttlMs ?? settings.defaultTtlMs ?? DEFAULTS.ttlMs));
    }
    if (!existsSync(settings.templatePath)) throw new TemplateNotFoundError(settings.templatePath);
    const templateBody = await readFile(settings.templatePath, "utf8");
    if (Buffer.byteLength(templateBody) > TEMPLATE_BODY_LIMIT) {
      throw new MissingSettingError(`${settings.templatePath} is larger than CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte TemplateBody limit: shorten it`);
    }
    return { allowedCidr, metadata, snapshot, cost, expiresAt, templateBody };
  }

  private createParameters(
    environment: string,
    plan: Awaited<ReturnType<AwsDriver["planCreate"]>>,
    snapshot: ResolvedSnapshot | undefined,
  ): Record<DriverParameter, string> {
    const { settings } = this.options;
    return {
      EnvironmentName: environment,
      Repository: plan.metadata.repository,
      PullRequest: String(plan.metadata.pullRequest),
      CommitSha: plan.metadata.commit,
      ExpiresAt: formatExpiresAt(plan.expiresAt),
      AllowedCidr: plan.allowedCidr,
      HostInstanceType: plan.cost.host.instanceType,
      SshKeyName: settings.sshKeyName ?? "",
      HostPermissionsBoundaryArn: settings.permissionsBoundaryArn ?? "",
      WarehouseNodeType: plan.cost.warehouse.nodeType,
      WarehouseNumberOfNodes: String(plan.cost.warehouse.nodes),
      WarehouseDatabaseName: snapshot?.databaseName ?? DEFAULTS.warehouseDatabase,
      WarehouseMasterUsername: snapshot?.masterUsername ?? DEFAULTS.masterUsername,
      SnapshotIdentifier: snapshot?.identifier ?? "",
      SnapshotClusterIdentifier: snapshot?.clusterIdentifier ?? "",
      // A new host takes the image HostImageId resolves to; only `extend` pins one.
      PinnedHostImageId: "",
    };
  }

  /** A creation that did not complete: make sure the stack is gone, then say why it failed. */
  private async failCreate(environment: string, stack: Stack | undefined, events: StackEventFollower, progress: Progress): Promise<never> {
    const stackName = stackNameFor(environment);
    const seen = events
      .all()
      .filter((event) => event.ResourceType === "AWS::CloudFormation::Stack")
      .map((event) => event.ResourceStatus ?? "");
    const status = seen.filter((s) => s === "CREATE_FAILED" || s.startsWith("ROLLBACK")).pop() ?? stack?.StackStatus ?? "CREATE_FAILED";
    const reasons = failureReasons(events.all());
    if (reasons.length === 0 && stack?.StackStatusReason) reasons.push(stack.StackStatusReason);
    progress({ phase: "up", message: `stack ${stackName} failed (${status}); making sure nothing of it is left` });
    await this.deleteStack(stackName, progress);
    const leftovers = await this.removeLeftoversOf(environment, stackName, progress);
    this.states.delete(environment);
    throw new StackFailedError(stackName, status, reasons, leftovers);
  }

  /** removeLeftovers with this driver's clients and timing: the names of what is still left. */
  private removeLeftoversOf(environment: string, stackName: string, progress: Progress): Promise<string[]> {
    return removeLeftovers({
      clients: this.options.clients,
      environment,
      stackName,
      progress,
      poll: this.poll,
      clusterTimeoutMs: this.options.settings.stackTimeoutMs ?? DEFAULTS.stackTimeoutMs,
    });
  }

  /** Deletes the stack and waits until it is gone; false when there was none. */
  private async deleteStack(stackName: string, progress: Progress): Promise<boolean> {
    let stack = await describeStack(this.cf, stackName);
    if (!stack) return false;
    const events = new StackEventFollower(this.cf, stack.StackId ?? stackName, progress, "down");
    await events.prime().catch(() => undefined);
    const retries = this.options.settings.deleteRetries ?? 1;
    const wait = () =>
      waitForStack({
        client: this.cf,
        stackName,
        events,
        poll: this.poll,
        timeoutMs: this.options.settings.stackTimeoutMs ?? DEFAULTS.stackTimeoutMs,
        onTimeout: (status) => new StackTimeoutError(stackName, status, this.stackTimeoutMinutes(), FOLLOW_IN_CONSOLE),
      });

    for (let attempt = 0; attempt <= retries; attempt++) {
      // CloudFormation refuses to delete a stack in the middle of an update: let that finish first.
      if (isInProgress(stack.StackStatus ?? "") && stack.StackStatus !== "DELETE_IN_PROGRESS") {
        progress({ phase: "down", message: `stack ${stackName} is ${stack.StackStatus}; waiting for it before deleting` });
        stack = await wait();
        if (!stack) return true;
      }
      if (stack.StackStatus !== "DELETE_IN_PROGRESS") {
        progress({ phase: "down", message: attempt === 0 ? `deleting stack ${stackName}` : `deleting stack ${stackName} again (attempt ${attempt + 1})` });
        try {
          await this.cf.send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: `shadowops-down-${randomUUID()}` }));
        } catch (error) {
          if (isStackMissing(error)) return true;
          // If the stack is gone despite the error, the leftover check below shows what remains.
          if (!(await describeStack(this.cf, stackName))) {
            progress({ phase: "down", message: `DeleteStack answered ${awsErrorName(error) ?? "an error"}, but the stack is gone` });
            return true;
          }
          throw toAwsError(error, "DeleteStack");
        }
      }
      stack = await wait();
      if (!stack) return true;
      if (stack.StackStatus !== "DELETE_FAILED") break;
      const reasons = failureReasons(events.all());
      progress({ phase: "down", message: `delete failed: ${reasons.join("; ") || stack.StackStatusReason || "no reason given"}` });
    }
    throw new StackStuckError(
      stackName,
      stack.StackStatus ?? "unknown",
      failureReasons(events.all()),
      `CloudFormation could not delete the resources above, usually because something created outside the stack depends on them ` +
        `(a network interface in its VPC, a manual snapshot…). Remove that in the AWS console, then run ` +
        `\`shadowops down --driver aws --env ${stackName.slice(STACK_NAME_PREFIX.length)}\` again.`,
    );
  }

  /** Creates a change set to see what an update would do, then deletes it. "none" = no change. */
  private async previewUpdate(
    stackName: string,
    update: { StackName: string; UsePreviousTemplate: boolean; Parameters: Parameter[]; Tags: { Key: string; Value: string }[]; Capabilities: "CAPABILITY_IAM"[] },
  ): Promise<Change[] | "none"> {
    const name = `shadowops-extend-${Date.now()}`;
    let id: string | undefined;
    try {
      id = (await this.cf.send(new CreateChangeSetCommand({ ...update, ChangeSetName: name, ChangeSetType: "UPDATE" }))).Id;
      const changes: Change[] = [];
      let interval = this.poll.intervalMs;
      for (;;) {
        const described = await this.cf.send(new DescribeChangeSetCommand({ ChangeSetName: id ?? name, StackName: stackName }));
        if (described.Status === "FAILED") {
          if (/didn't contain changes|No updates are to be performed/i.test(described.StatusReason ?? "")) return "none";
          throw new AwsFailureError(`CloudFormation could not plan the update of ${stackName}: ${described.StatusReason ?? "no reason given"}`);
        }
        if (described.Status === "CREATE_COMPLETE") {
          changes.push(...(described.Changes ?? []));
          let token = described.NextToken;
          while (token) {
            const page = await this.cf.send(new DescribeChangeSetCommand({ ChangeSetName: id ?? name, StackName: stackName, NextToken: token }));
            changes.push(...(page.Changes ?? []));
            token = page.NextToken;
          }
          return changes;
        }
        await this.poll.sleep(interval);
        interval = Math.min(this.poll.maxIntervalMs, Math.round(interval * 1.5));
      }
    } catch (error) {
      throw toAwsError(error, "CreateChangeSet");
    } finally {
      if (id) await this.cf.send(new DeleteChangeSetCommand({ ChangeSetName: id, StackName: stackName })).catch(() => undefined);
    }
  }

  private async configureHostOf(record: EnvironmentRecord, workload: Workload, progress: Progress, signal?: AbortSignal): Promise<void> {
    if (!this.options.configureHost) {
      progress({ phase: "configure", message: "no host configuration given: the host keeps what it has" });
      return;
    }
    progress({ phase: "configure", message: `configuring the host of ${record.name} with Ansible (R, Airflow 3, the workload)` });
    await this.options.configureHost({ environment: record.name, inventory: this.inventoryOf(record), workload, progress, signal });
    const at = new Date();
    this.deployed.set(record.name, { at, workload });
    await this.waitForRedeployParsed(record, at, progress, signal);
  }

  /**
   * After a redeploy into a running Airflow, waits until every DAG it knows was parsed again.
   * It waits here, in the step that deployed, because the orb runs `run-dag` in another
   * process, which cannot know when the code changed (the stack is the only record), and
   * must not run the DAG as Airflow parsed it before the redeploy.
   */
  private async waitForRedeployParsed(record: EnvironmentRecord, since: Date, progress: Progress, signal?: AbortSignal): Promise<void> {
    const details = record.details as unknown as AwsDetails;
    if (!details.outputs?.AirflowUrl || !details.outputs.AirflowSecretArn) return;
    let client: AirflowClient;
    let dagIds: string[];
    try {
      client = await this.airflowClientOf(record);
      dagIds = await client.listDagIds();
    } catch (error) {
      // A host configured for the first time may still be starting Airflow; it parses the new
      // code as it starts, and the DAG step waits for that parse.
      progress({ phase: "configure", message: `Airflow did not answer yet (${(error as Error).message}); the DAG step waits for it` });
      return;
    }
    for (const dagId of dagIds) {
      await waitUntilParsed({ client, dagId, parsedAfter: since, parseTimeoutMs: this.options.reparseTimeoutMs ?? REPARSE_TIMEOUT_MS, phase: "configure", progress, signal });
    }
    if (dagIds.length > 0) progress({ phase: "configure", message: `Airflow parsed the redeployed code: ${dagIds.join(", ")}` });
  }

  /**
   * An Airflow client for the environment's api-server, logged in with the generated admin secret:
   * at the stack's Airflow URL, or through the tunnel of SHADOWOPS_AIRFLOW_ADDRESS.
   */
  private async airflowClientOf(record: EnvironmentRecord): Promise<AirflowClient> {
    const details = record.details as unknown as AwsDetails;
    const outputs = requireOutputs(details, ["AirflowUrl", "AirflowSecretArn"]);
    const login = await this.readLogin(outputs.AirflowSecretArn);
    const baseUrl = this.airflowTunnel ? airflowUrlThrough(outputs.AirflowUrl, this.airflowTunnel) : outputs.AirflowUrl;
    const connection = { baseUrl, username: login.username, password: login.password };
    return this.options.airflowClient ? this.options.airflowClient(connection) : new AirflowClient(connection);
  }

  private stackTimeoutMinutes(): number {
    return Math.round((this.options.settings.stackTimeoutMs ?? DEFAULTS.stackTimeoutMs) / 60_000);
  }

  private inventoryOf(record: EnvironmentRecord): string {
    const details = record.details as unknown as AwsDetails;
    const missing = missingInventoryOutputs(details.outputs);
    if (missing.length > 0) throw new MissingStackOutputError(details.stackName, missing);
    return renderInventory({
      environment: record.name,
      stackName: details.stackName,
      region: details.region,
      commit: details.commit ?? "",
      outputs: details.outputs,
      warehouseDatabase: details.warehouseDatabase,
    });
  }

  private async require(environment: string, options: { ready: boolean }): Promise<EnvironmentRecord> {
    const record = await this.get(environment);
    if (!record) throw new UnknownEnvironmentError(environment, (await this.list()).map((r) => r.name));
    const status = (record.details as unknown as AwsDetails).stackStatus;
    if (options.ready && !READY_STATUSES.has(status)) {
      throw new StackNotReadyError(
        `environment ${environment} is not ready: its stack is ${status}. ` +
          (isInProgress(status) ? "Wait for CloudFormation to finish." : `Destroy it with \`shadowops down --driver aws --env ${environment}\`.`),
      );
    }
    return record;
  }

  private toRecord(stack: Stack): EnvironmentRecord {
    const tags = tagMap(stack.Tags);
    const stackName = stack.StackName ?? "";
    const name = tags[SHADOW_TAG.environment] ?? stackName.slice(STACK_NAME_PREFIX.length);
    const outputs: Record<string, string> = {};
    for (const output of stack.Outputs ?? []) if (output.OutputKey) outputs[output.OutputKey] = output.OutputValue ?? "";
    const parameters: Record<string, string> = {};
    for (const parameter of stack.Parameters ?? []) if (parameter.ParameterKey) parameters[parameter.ParameterKey] = parameter.ParameterValue ?? "";
    const status = stack.StackStatus ?? "unknown";
    let cost: CostEstimate | undefined;
    try {
      cost = estimateCost({
        instanceType: parameters.HostInstanceType ?? DEFAULTS.instanceType,
        nodeType: parameters.WarehouseNodeType ?? DEFAULTS.nodeType,
        nodes: Number(parameters.WarehouseNumberOfNodes ?? DEFAULTS.nodes),
        region: this.region,
      });
    } catch {
      cost = undefined;
    }
    const details: AwsDetails = {
      stackName,
      stackId: stack.StackId,
      stackStatus: status,
      stackStatusReason: stack.StackStatusReason,
      region: this.region,
      repository: tags[SHADOW_TAG.repository],
      pullRequest: tags[SHADOW_TAG.pullRequest],
      commit: tags[SHADOW_TAG.commit],
      outputs,
      parameters,
      snapshot: parameters.SnapshotIdentifier || undefined,
      warehouseDatabase: parameters.WarehouseDatabaseName || DEFAULTS.warehouseDatabase,
      cost: cost ? { hourlyUsd: cost.hourlyUsd, summary: cost.summary } : undefined,
    };
    return {
      name,
      driver: this.name,
      state: this.states.get(name) ?? lifecycleStateOf(status),
      createdAt: (stack.CreationTime ?? this.now()).toISOString(),
      expiresAt: tags[SHADOW_TAG.expiresAt],
      airflowUrl: READY_STATUSES.has(status) ? outputs.AirflowUrl : undefined,
      details: { ...details },
    };
  }
}

function toParameters(values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

/**
 * Parameters of an update that changes only `changed`: every parameter the driver set keeps its
 * previous value. The others (HostImageId) are left out and so take the template's default, as
 * at creation. A parameter the stack does not have (an older template) is never passed.
 */
function updateParameters(current: readonly Parameter[], changed: Partial<Record<DriverParameter, string>>): Parameter[] {
  const present = new Set(current.map((parameter) => parameter.ParameterKey));
  return DRIVER_PARAMETERS.filter((key) => present.has(key)).map((key) =>
    changed[key] !== undefined ? { ParameterKey: key, ParameterValue: changed[key] } : { ParameterKey: key, UsePreviousValue: true },
  );
}

function requireOutputs<K extends string>(details: AwsDetails, keys: readonly K[]): Record<K, string> {
  const missing = keys.filter((key) => !details.outputs[key]);
  if (missing.length > 0) throw new MissingStackOutputError(details.stackName, missing);
  return details.outputs as Record<K, string>;
}
