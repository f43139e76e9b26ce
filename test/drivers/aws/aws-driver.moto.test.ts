/**
 * The aws driver against moto in server mode (a real AWS API emulator, started here on
 * 127.0.0.1). Where moto lacks a behaviour, the test says which gap (numbered in moto-aws.ts) and
 * covers it another way: SDK middleware that injects what AWS would answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStackCommand, type CreateStackCommandInput, type DescribeChangeSetCommandOutput, type Parameter } from "@aws-sdk/client-cloudformation";
import { CreateTagsCommand, CreateVpcCommand, DescribeImagesCommand, DescribeInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import type { DescribeClustersCommandOutput, ModifyClusterCommandInput } from "@aws-sdk/client-redshift";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EnvironmentExistsError } from "../../../src/drivers/driver-errors.js";
import type { ProgressEvent } from "../../../src/drivers/progress.js";
import { AwsDriver, type AwsClients, type AwsDetails, type AwsDriverOptions } from "../../../src/drivers/aws/aws-driver.js";
import {
  ExpiredCredentialsError,
  ExtendWouldReplaceError,
  InvalidAllowedCidrError,
  InvalidExpiresAtError,
  InvalidShadowMetadataError,
  LeftoverResourcesError,
  MissingCredentialsError,
  NoAvailableSnapshotError,
  SnapshotNotFoundError,
  StackFailedError,
  StackStuckError,
  ThrottledError,
  UnknownPriceError,
  WarehousePasswordError,
} from "../../../src/drivers/aws/aws-errors.js";
import type { ConfigureHostParams } from "../../../src/drivers/aws/configure-host.js";
import { AirflowClient } from "../../../src/airflow/airflow-client.js";
import { dagRun, fakeFetch, json, taskInstance, tokenRoute } from "../../airflow/fake-airflow-fetch.js";
import { REPO_ROOT } from "../../support/run-cli.js";
import { createScratchDatabase } from "../../support/scratch-database.js";
import { startMoto, type MotoServer } from "../../support/start-moto.js";
import {
  addCloudFormationOutputs,
  applyEnv,
  completeMotoStackDeletion,
  createProduction,
  createSkippedSecret,
  failedCreationEvents,
  injectError,
  inspector,
  motoClients,
  motoClusterPassword,
  motoEnv,
  motoTemplate,
  patchOutput,
  pretendStackStatus,
  recordCalls,
  REGION,
  setTestImageParameter,
} from "./moto-aws.js";

const METADATA = { repository: "acme/warehouse", pullRequest: 42, commit: "0123456789abcdef0123456789abcdef01234567" };
const WORKLOAD = { dagsDir: join(REPO_ROOT, "dags"), rDir: join(REPO_ROOT, "r"), migrationsDir: join(REPO_ROOT, "migrations") };
const HOUR = 3_600_000;

let moto: MotoServer;
let restoreEnv: () => void;
let dir: string;
let fullTemplate: string;
let updatableTemplate: string;
let movingImageTemplate: string;
let unpinnedTemplate: string;
let look: ReturnType<typeof inspector>;

beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = applyEnv(motoEnv(moto));
  dir = mkdtempSync(join(tmpdir(), "shadowops-aws-test-"));
  fullTemplate = motoTemplate(dir);
  updatableTemplate = motoTemplate(dir, { withoutWarehouseOutputs: true });
  movingImageTemplate = motoTemplate(dir, { withoutWarehouseOutputs: true, testImageParameter: true });
  unpinnedTemplate = motoTemplate(dir, { withoutWarehouseOutputs: true, withoutImagePin: true });
  look = inspector();
}, 90_000);

afterAll(async () => {
  // SHADOWOPS_TEST_MOTO_LOG=file keeps what the emulator printed (its tracebacks explain a 500).
  if (process.env.SHADOWOPS_TEST_MOTO_LOG && moto) writeFileSync(process.env.SHADOWOPS_TEST_MOTO_LOG, moto.log());
  await moto?.stop();
  restoreEnv?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
});

interface Harness {
  driver: AwsDriver;
  clients: AwsClients;
  progress: ProgressEvent[];
  calls: string[];
  configured: ConfigureHostParams[];
  clock: { now: Date };
}

/**
 * A driver on fresh clients pointed at moto through AWS_ENDPOINT_URL, with the two corrections
 * every scenario needs: the outputs CloudFormation would give (gap 2) and the network deletion
 * CloudFormation would do (gap 4). The Redshift gap (3) is left for the driver.
 */
function harness(
  options: {
    settings?: Partial<AwsDriverOptions["settings"]>;
    metadata?: AwsDriverOptions["metadata"];
    faithful?: boolean;
    extra?: Partial<AwsDriverOptions>;
  } = {},
): Harness {
  const clients = motoClients(options.settings?.region ?? REGION);
  const calls = recordCalls(clients);
  if (options.faithful !== false) {
    addCloudFormationOutputs(clients);
    completeMotoStackDeletion(clients, look.ec2);
  }
  const progress: ProgressEvent[] = [];
  const configured: ConfigureHostParams[] = [];
  const clock = { now: new Date() };
  const driver = new AwsDriver({
    clients,
    settings: {
      region: REGION,
      templatePath: fullTemplate,
      allowedCidr: "203.0.113.0/24",
      productionCluster: "production",
      snapshot: "latest",
      ...options.settings,
    },
    metadata: options.metadata ?? METADATA,
    configureHost: async (params) => {
      configured.push(params);
    },
    now: () => clock.now,
    poll: { intervalMs: 5, maxIntervalMs: 20 },
    ...options.extra,
  });
  return { driver, clients, progress, calls, configured, clock };
}

const collect = (h: Harness) => (event: ProgressEvent) => h.progress.push(event);

async function imageOf(instanceId: string): Promise<{ imageId?: string; state?: string }> {
  const instance = (await look.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
  return { imageId: instance?.ImageId, state: instance?.State?.Name };
}

describe("aws driver in moto: the life of an environment", { timeout: 120_000 }, () => {
  it("up restores the newest snapshot, reads the outputs, configures the host; list, inventory; down leaves nothing", async () => {
    const h = harness();
    await createProduction(h.clients.redshift, ["prod-1", "prod-2", "prod-3"]);
    await createSkippedSecret("acme-pr-42", "warehouse", "warehouse_admin");
    const created: CreateStackCommandInput[] = [];
    patchOutput(h.clients.cloudFormation as never, "CreateStack", (_output, input) => created.push(input as unknown as CreateStackCommandInput));

    const record = await h.driver.up({ environment: "acme-pr-42", ttlMs: 2 * HOUR, workload: WORKLOAD, progress: collect(h) });

    const details = record.details as unknown as AwsDetails;
    expect(record).toMatchObject({ name: "acme-pr-42", driver: "aws", state: "configuring" });
    expect(record.airflowUrl).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:8080$/);
    expect(record.airflowUrl).toBe(`http://${details.outputs.HostAddress}:8080`);
    expect(details.outputs.WarehouseEndpoint).toMatch(/\.us-east-1\.redshift\.amazonaws\.com$/);
    expect(details).toMatchObject({ stackName: "shadowops-acme-pr-42", stackStatus: "CREATE_COMPLETE", snapshot: "prod-3", warehouseDatabase: "analytics" });
    expect(details.cost?.hourlyUsd).toBeCloseTo(0.0832 + 0.543 + 0.0083, 3);
    expect(Date.parse(record.expiresAt!) - Date.now()).toBeGreaterThan(2 * HOUR - 60_000);

    // What CloudFormation was asked for.
    expect(created).toHaveLength(1);
    const input = created[0]!;
    expect(input).toMatchObject({ StackName: "shadowops-acme-pr-42", OnFailure: "DELETE", Capabilities: ["CAPABILITY_IAM"] });
    expect(input.ClientRequestToken).toMatch(/^shadowops-up-[0-9a-f-]{36}$/);
    expect(Object.fromEntries(input.Tags!.map((t) => [t.Key, t.Value]))).toEqual({
      "shadowops:environment": "acme-pr-42",
      "shadowops:repository": "acme/warehouse",
      "shadowops:pull-request": "42",
      "shadowops:commit": METADATA.commit,
      "shadowops:expires-at": record.expiresAt,
    });
    expect(Object.fromEntries(input.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]))).toMatchObject({
      EnvironmentName: "acme-pr-42",
      AllowedCidr: "203.0.113.0/24",
      SnapshotIdentifier: "prod-3",
      SnapshotClusterIdentifier: "production",
      WarehouseMasterUsername: "warehouse_admin",
      WarehouseDatabaseName: "analytics",
      ExpiresAt: record.expiresAt,
    });

    const messages = h.progress.map((e) => `${e.phase} ${e.message}`);
    expect(messages.some((m) => /^up estimated cost \$0\.63\/h/.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith("up warehouse: restoring snapshot prod-3 of production (taken 20"))).toBe(true);
    // Each stack event once, oldest first (moto only emits the stack's own: gap 5).
    expect(messages.filter((m) => m.startsWith("up stack: "))).toEqual(["up stack: CREATE_IN_PROGRESS — User Initiated", "up stack: CREATE_COMPLETE"]);

    expect(h.configured).toHaveLength(1);
    expect(h.configured[0]!.workload).toEqual(WORKLOAD);
    expect(h.configured[0]!.inventory).toContain(`ansible_host: "${details.outputs.HostAddress}"`);

    const listed = await h.driver.list();
    expect(listed.map((r) => [r.name, r.expiresAt])).toEqual([["acme-pr-42", record.expiresAt]]);
    expect(await h.driver.get("acme-pr-42")).toMatchObject({ name: "acme-pr-42", state: "configuring" });

    const inventory = await h.driver.inventory("acme-pr-42");
    expect(inventory).toContain('shadowops_warehouse_secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shadowops/acme-pr-42/warehouse-');
    expect(inventory).toContain(`shadowops_commit: "${METADATA.commit}"`);
    expect(inventory).toContain('shadowops_warehouse_database: "analytics"');

    expect((await h.driver.reap({ dryRun: false, progress: collect(h) })).expired).toEqual([]);

    await h.driver.down({ environment: "acme-pr-42", progress: collect(h) });

    expect(await look.stackExists("shadowops-acme-pr-42")).toBe(false);
    // Gap 3: moto kept the cluster (named shadowops-acme-pr-42-WarehouseCluster-…); the driver deleted it.
    expect(h.progress.some((e) => /deleting leftover Redshift cluster shadowops-acme-pr-42-WarehouseCluster-/i.test(e.message))).toBe(true);
    expect(await look.clusterIds()).toEqual(["production"]);
    expect(await look.taggedResources("acme-pr-42")).toEqual([]);
    expect(await h.driver.list()).toEqual([]);
  });

  it("an environment that exists is reported, not duplicated", async () => {
    const h = harness({ settings: { snapshot: "none" } });
    await h.driver.up({ environment: "pr-7", progress: collect(h) });

    const second = harness({ settings: { snapshot: "none" } });
    await expect(second.driver.up({ environment: "pr-7", progress: collect(second) })).rejects.toThrow(EnvironmentExistsError);
    expect(second.calls).toEqual(["CloudFormation.DescribeStacks"]);
    expect((await h.driver.list()).map((r) => r.name)).toEqual(["pr-7"]);
  });

  it("extend moves the expiry (tag and parameter); reap --dry-run only says what it would destroy; reap destroys what expired", async () => {
    // Gap 6: moto cannot describe an updated stack whose outputs reference the Redshift
    // cluster, so this scenario runs the template without those three outputs.
    const h = harness({ settings: { snapshot: "none", templatePath: updatableTemplate } });
    await h.driver.up({ environment: "pr-1", ttlMs: HOUR, progress: collect(h) });
    await h.driver.up({ environment: "pr-2", ttlMs: HOUR, progress: collect(h) });
    const before = (await h.driver.get("pr-2"))!.expiresAt!;

    const extended = await h.driver.extend({ environment: "pr-2", byMs: 3 * HOUR, progress: collect(h) });

    expect(Date.parse(extended.expiresAt!) - Date.parse(before)).toBe(3 * HOUR);
    const pr2 = (await h.driver.get("pr-2"))!;
    expect(pr2.expiresAt).toBe(extended.expiresAt);
    expect((pr2.details as unknown as AwsDetails).parameters.ExpiresAt).toBe(extended.expiresAt);
    expect((pr2.details as unknown as AwsDetails).stackStatus).toBe("UPDATE_COMPLETE");
    // The preview came first, and the update kept every other parameter.
    expect(h.calls.filter((c) => /ChangeSet|UpdateStack/.test(c))).toEqual([
      "CloudFormation.CreateChangeSet",
      "CloudFormation.DescribeChangeSet",
      "CloudFormation.DeleteChangeSet",
      "CloudFormation.UpdateStack",
    ]);
    expect((pr2.details as unknown as AwsDetails).parameters.AllowedCidr).toBe("203.0.113.0/24");

    h.clock.now = new Date(Date.now() + 2 * HOUR);
    const dryRun = await h.driver.reap({ dryRun: true, progress: collect(h) });
    expect(dryRun.expired.map((e) => e.name)).toEqual(["pr-1"]);
    expect(dryRun.destroyed).toEqual([]);
    expect(await look.stackExists("shadowops-pr-1")).toBe(true);
    expect(h.calls).not.toContain("CloudFormation.DeleteStack");

    const reaped = await h.driver.reap({ dryRun: false, progress: collect(h) });
    expect(reaped).toMatchObject({ destroyed: ["pr-1"], failed: [], skipped: [] });
    expect(await look.stackExists("shadowops-pr-1")).toBe(false);
    expect(await look.taggedResources("pr-1")).toEqual([]);
    expect((await h.driver.list()).map((r) => r.name)).toEqual(["pr-2"]);
  });

  it("extend after the image parameter moved to a newer image pins the host's image: no replacement, the expiry moves", async () => {
    const h = harness({ settings: { snapshot: "none", templatePath: movingImageTemplate } });
    const [current, newer] = ((await look.ec2.send(new DescribeImagesCommand({ Owners: ["amazon"] }))).Images ?? []).map((image) => image.ImageId!);
    await setTestImageParameter(moto, current!);
    const record = await h.driver.up({ environment: "pr-4", ttlMs: HOUR, progress: collect(h) });
    const instanceId = (record.details as unknown as AwsDetails).outputs.HostInstanceId!;
    expect((record.details as unknown as AwsDetails).parameters.PinnedHostImageId).toBe("");
    expect(await imageOf(instanceId)).toEqual({ imageId: current, state: "running" });

    // Canonical publishes a newer image; CloudFormation would resolve HostImageId to it now.
    await setTestImageParameter(moto, newer!);
    // Gap 6: moto's change sets list no changes and its updates never replace an instance. So
    // the change set says what CloudFormation would, by its rule: the host is replaced when the
    // image it would get differs from the running one. That image is the pinned id if the
    // request pins one, else what the (real, moved) parameter in moto resolves to.
    const sent: { changeSet?: Parameter[]; update?: Parameter[] } = {};
    patchOutput(h.clients.cloudFormation as never, "CreateChangeSet", (_output, input) => (sent.changeSet = input.Parameters as Parameter[]));
    patchOutput(h.clients.cloudFormation as never, "UpdateStack", (_output, input) => (sent.update = input.Parameters as Parameter[]));
    patchOutput<DescribeChangeSetCommandOutput>(h.clients.cloudFormation as never, "DescribeChangeSet", (output) => {
      const pinned = sent.changeSet?.find((p) => p.ParameterKey === "PinnedHostImageId")?.ParameterValue;
      const image = pinned || newer;
      output.Changes = [
        { Type: "Resource", ResourceChange: { Action: "Modify", LogicalResourceId: "Vpc", ResourceType: "AWS::EC2::VPC", Replacement: "False" } },
        { Type: "Resource", ResourceChange: { Action: "Modify", LogicalResourceId: "HostInstance", ResourceType: "AWS::EC2::Instance", Replacement: image === current ? "False" : "True" } },
      ];
    });

    const extended = await h.driver.extend({ environment: "pr-4", byMs: 2 * HOUR, progress: collect(h) });

    const pin = { ParameterKey: "PinnedHostImageId", ParameterValue: current };
    expect(sent.changeSet).toContainEqual(pin);
    expect(sent.update).toContainEqual(pin);
    // HostImageId is never passed: it stays the SSM parameter the template names.
    expect(sent.update!.map((p) => p.ParameterKey)).not.toContain("HostImageId");
    expect(Date.parse(extended.expiresAt!) - Date.parse(record.expiresAt!)).toBe(2 * HOUR);
    const after = (await h.driver.get("pr-4"))!;
    expect(after.expiresAt).toBe(extended.expiresAt);
    expect((after.details as unknown as AwsDetails).parameters).toMatchObject({ PinnedHostImageId: current, ExpiresAt: extended.expiresAt });
    expect(h.progress.map((e) => e.message)).toContain(`keeping the host's image ${current}, whatever the image parameter resolves to now`);
    // The same host, on the image it was configured on (moto would not have replaced it either: gap 6).
    expect(await imageOf(instanceId)).toEqual({ imageId: current, state: "running" });
  });

  it("extend of a stack from a template without PinnedHostImageId moves the expiry without pinning", async () => {
    const h = harness({ settings: { snapshot: "none", templatePath: unpinnedTemplate } });
    await h.driver.up({ environment: "pr-5", ttlMs: HOUR, progress: collect(h) });
    const sent: { update?: Parameter[] } = {};
    patchOutput(h.clients.cloudFormation as never, "UpdateStack", (_output, input) => (sent.update = input.Parameters as Parameter[]));

    const extended = await h.driver.extend({ environment: "pr-5", ttlMs: 3 * HOUR, progress: collect(h) });

    // CloudFormation refuses a parameter the stack's template does not declare.
    expect(sent.update!.map((p) => p.ParameterKey)).not.toContain("PinnedHostImageId");
    expect(h.calls).not.toContain("EC2.DescribeInstances");
    expect(h.progress.map((e) => e.message)).toContain("stack shadowops-pr-5 predates PinnedHostImageId: CloudFormation resolves the host image again");
    expect((await h.driver.get("pr-5"))!.expiresAt).toBe(extended.expiresAt);
  });

  it("extend of an environment whose host is gone says so and changes nothing", async () => {
    const h = harness({ settings: { snapshot: "none", templatePath: updatableTemplate } });
    const record = await h.driver.up({ environment: "pr-6", ttlMs: HOUR, progress: collect(h) });
    const instanceId = (record.details as unknown as AwsDetails).outputs.HostInstanceId!;
    await look.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));

    await expect(h.driver.extend({ environment: "pr-6", ttlMs: 3 * HOUR, progress: collect(h) })).rejects.toThrow(
      `the host ${instanceId} of stack shadowops-pr-6 is terminated, so there is no image to keep: re-create the environment`,
    );
    expect(h.calls.filter((c) => /ChangeSet|UpdateStack/.test(c))).toEqual([]);
    expect((await h.driver.get("pr-6"))!.expiresAt).toBe(record.expiresAt);
  });

  it("extend refuses an update that would replace the host, and changes nothing", async () => {
    // The safety net behind the pinned image: whatever the cause (a stack made before
    // PinnedHostImageId existed, another change to the template), a replacement is refused.
    // Gap 6: moto's change sets list no changes; this is what CloudFormation would show.
    const h = harness({ settings: { snapshot: "none", templatePath: updatableTemplate } });
    await h.driver.up({ environment: "pr-3", ttlMs: HOUR, progress: collect(h) });
    const before = (await h.driver.get("pr-3"))!.expiresAt;
    patchOutput<DescribeChangeSetCommandOutput>(h.clients.cloudFormation as never, "DescribeChangeSet", (output) => {
      output.Changes = [
        { Type: "Resource", ResourceChange: { Action: "Modify", LogicalResourceId: "Vpc", ResourceType: "AWS::EC2::VPC", Replacement: "False" } },
        { Type: "Resource", ResourceChange: { Action: "Modify", LogicalResourceId: "HostInstance", ResourceType: "AWS::EC2::Instance", Replacement: "True" } },
      ];
    });

    await expect(h.driver.extend({ environment: "pr-3", ttlMs: 6 * HOUR, progress: collect(h) })).rejects.toThrow(ExtendWouldReplaceError);
    expect(h.calls).not.toContain("CloudFormation.UpdateStack");
    expect(h.calls).toContain("CloudFormation.DeleteChangeSet");
    expect((await h.driver.get("pr-3"))!.expiresAt).toBe(before);
  });
});

describe("aws driver in moto: snapshots", { timeout: 60_000 }, () => {
  it("takes a snapshot by id, or none", async () => {
    const h = harness({ settings: { snapshot: "prod-1" } });
    await createProduction(h.clients.redshift, ["prod-1", "prod-2"]);
    await createSkippedSecret("pr-8", "warehouse", "warehouse_admin");
    const byId = await h.driver.up({ environment: "pr-8", progress: collect(h) });
    expect((byId.details as unknown as AwsDetails).snapshot).toBe("prod-1");

    const none = harness({ settings: { snapshot: "none" } });
    const empty = await none.driver.up({ environment: "pr-9", progress: collect(none) });
    expect((empty.details as unknown as AwsDetails).snapshot).toBeUndefined();
    expect((empty.details as unknown as AwsDetails).parameters.WarehouseMasterUsername).toBe("shadowops_admin");
    expect(none.calls).not.toContain("Redshift.DescribeClusterSnapshots");
  });

  it("a snapshot that is not there, or not in this region, is a clear error before anything is created", async () => {
    const h = harness({ settings: { snapshot: "prod-9" } });
    await createProduction(h.clients.redshift, ["prod-1"]);
    await expect(h.driver.up({ environment: "pr-10", progress: collect(h) })).rejects.toThrow(
      "snapshot prod-9 was not found in us-east-1. Snapshots are regional: pass --region",
    );

    // moto keeps regions apart like AWS: the snapshot exists in us-east-1 only.
    const elsewhere = harness({ settings: { snapshot: "prod-1", region: "eu-west-1" } });
    await expect(elsewhere.driver.up({ environment: "pr-10", progress: collect(elsewhere) })).rejects.toThrow(SnapshotNotFoundError);
    await expect(elsewhere.driver.up({ environment: "pr-10", progress: collect(elsewhere) })).rejects.toThrow(/not found in eu-west-1/);

    // Gap 8: moto answers this with production's snapshots; the driver must not take them.
    const noSnapshots = harness({ settings: { productionCluster: "no-such-cluster" } });
    await expect(noSnapshots.driver.up({ environment: "pr-10", progress: collect(noSnapshots) })).rejects.toThrow(NoAvailableSnapshotError);

    for (const calls of [h.calls, elsewhere.calls, noSnapshots.calls]) expect(calls).not.toContain("CloudFormation.CreateStack");
    expect(await look.stackExists("shadowops-pr-10")).toBe(false);
  });
});

describe("aws driver in moto: the restored warehouse gets the generated password", { timeout: 120_000 }, () => {
  it("sets the secret's password on a restored cluster and waits until Redshift has applied it", async () => {
    const seen = { looksAfterModify: 0, atConfigure: -1 };
    const h = harness({ settings: { snapshot: "prod-1" }, extra: { configureHost: async () => void (seen.atConfigure = seen.looksAfterModify) } });
    await createProduction(h.clients.redshift, ["prod-1"]);
    const secret = await createSkippedSecret("pr-30", "warehouse", "warehouse_admin");
    const modified: ModifyClusterCommandInput[] = [];
    patchOutput(h.clients.redshift as never, "ModifyCluster", (_output, input) => modified.push(input as unknown as ModifyClusterCommandInput));
    // moto applies a password at once; Redshift lists it as pending, then modifies the cluster.
    // The first two looks after ModifyCluster answer that, so the driver must wait them out.
    patchOutput<DescribeClustersCommandOutput>(h.clients.redshift as never, "DescribeClusters", (output, input) => {
      if (!modified.length || !input.ClusterIdentifier) return;
      seen.looksAfterModify += 1;
      if (seen.looksAfterModify > 2) return;
      for (const cluster of output.Clusters ?? []) {
        cluster.ClusterStatus = seen.looksAfterModify === 1 ? "available" : "modifying";
        cluster.PendingModifiedValues = { MasterUserPassword: "****" };
      }
    });

    const record = await h.driver.up({ environment: "pr-30", workload: WORKLOAD, progress: collect(h) });

    const cluster = (record.details as unknown as AwsDetails).outputs.WarehouseClusterIdentifier!;
    expect(cluster).toMatch(/^shadowops-pr-30-WarehouseCluster-/);
    expect(modified).toEqual([{ ClusterIdentifier: cluster, MasterUserPassword: secret.password }]);
    // What the emulator's cluster now holds (gap 2: before, the unresolved dynamic reference).
    expect(await motoClusterPassword(moto, cluster)).toBe(secret.password);
    // The host was configured only once the cluster was available with the password applied.
    expect(seen).toEqual({ looksAfterModify: 3, atConfigure: 3 });
    expect(h.calls.indexOf("Redshift.ModifyCluster")).toBeGreaterThan(h.calls.indexOf("SecretsManager.GetSecretValue"));
    const messages = h.progress.map((e) => e.message);
    expect(messages).toContain(`warehouse: ${cluster} was restored from prod-1 and still has its admin password; setting the generated one from Secrets Manager`);
    expect(messages).toContain(`warehouse: ${cluster} is available with the generated admin password`);
    expect(messages.join("\n")).not.toContain(secret.password);

    const none = harness({ settings: { snapshot: "none" } });
    const empty = await none.driver.up({ environment: "pr-31", progress: collect(none) });
    const emptyCluster = (empty.details as unknown as AwsDetails).outputs.WarehouseClusterIdentifier!;
    expect(none.calls).not.toContain("Redshift.ModifyCluster");
    expect(none.calls).not.toContain("SecretsManager.GetSecretValue");
    // CloudFormation gave the empty cluster the generated password itself (moto leaves the reference unresolved: gap 2).
    expect(await motoClusterPassword(moto, emptyCluster)).toMatch(/^\{\{resolve:secretsmanager:.*:SecretString:password\}\}$/);
  });

  it("a password that cannot be set fails up like any failed provision: torn down, said why, never the password", async () => {
    const h = harness({ settings: { snapshot: "prod-1" } });
    await createProduction(h.clients.redshift, ["prod-1"]);
    const secret = await createSkippedSecret("pr-32", "warehouse", "warehouse_admin");
    // Redshift refuses while the cluster is busy; the message here also carries the password,
    // to check that it is blanked out of everything the user sees.
    const refused = injectError(h.clients.redshift as never, "ModifyCluster", {
      name: "InvalidClusterStateFault",
      message: `There is an operation running on the Cluster (MasterUserPassword=${secret.password}). Please try to modify it later.`,
      status: 400,
    });

    const error = await h.driver.up({ environment: "pr-32", workload: WORKLOAD, progress: collect(h) }).catch((e: unknown) => e);

    expect(refused.attempts).toBe(1);
    expect(error).toBeInstanceOf(WarehousePasswordError);
    const message = (error as Error).message;
    expect(message).toMatch(/^setting the generated admin password on the restored warehouse shadowops-pr-32-WarehouseCluster-\w+ failed at ModifyCluster: InvalidClusterStateFault: There is an operation running/);
    expect(message).toContain("the environment is torn down");
    expect(message).not.toContain(secret.password);
    expect(h.progress.map((e) => e.message).join("\n")).not.toContain(secret.password);
    expect(h.progress.map((e) => e.message)).toContain("failed: tearing down pr-32");
    expect(h.configured).toEqual([]);
    expect(await look.stackExists("shadowops-pr-32")).toBe(false);
    expect(await look.clusterIds()).toEqual(["production"]);
    expect(await look.taggedResources("pr-32")).toEqual([]);
  });

  it("a warehouse secret that cannot be read fails up the same way", async () => {
    const h = harness({ settings: { snapshot: "prod-1" } });
    await createProduction(h.clients.redshift, ["prod-1"]);
    // No createSkippedSecret: Secrets Manager answers ResourceNotFoundException for the output's ARN.

    const error = await h.driver.up({ environment: "pr-33", progress: collect(h) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WarehousePasswordError);
    expect((error as Error).message).toMatch(/failed at reading the secret arn:aws:secretsmanager:us-east-1:123456789012:secret:shadowops\/pr-33\/warehouse-1a2b3c4d-AbCdEf: ResourceNotFoundException/);
    expect(h.calls).not.toContain("Redshift.ModifyCluster");
    expect(await look.stackExists("shadowops-pr-33")).toBe(false);
    expect(await look.clusterIds()).toEqual(["production"]);
    expect(await look.taggedResources("pr-33")).toEqual([]);
  });
});

describe("aws driver in moto: failures leave nothing behind", { timeout: 120_000 }, () => {
  it("retries a throttled CreateStack and creates one stack", async () => {
    const h = harness({ settings: { snapshot: "none" } });
    // CloudFormation answers "Throttling" (Query protocol) when the account's rate is exceeded.
    const throttled = injectError(h.clients.cloudFormation as never, "CreateStack", { name: "Throttling", message: "Rate exceeded", status: 400 }, 2);

    await h.driver.up({ environment: "pr-11", progress: collect(h) });

    expect(throttled.attempts).toBe(3);
    expect(h.calls.filter((c) => c === "CloudFormation.CreateStack")).toHaveLength(1);
    expect((await h.driver.list()).map((r) => r.name)).toEqual(["pr-11"]);
  });

  it("says so when throttling outlasts the retries", async () => {
    const h = harness();
    const throttled = injectError(h.clients.cloudFormation as never, "ListStacks", { name: "Throttling", message: "Rate exceeded", status: 400 });
    const error = await h.driver.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toMatch(/kept throttling ListStacks \(3 attempts.*AWS_MAX_ATTEMPTS/s);
    expect(throttled.attempts).toBe(3);
  });

  it("a failed creation (ROLLBACK_COMPLETE) is deleted and reported with CloudFormation's reasons", async () => {
    const h = harness({ settings: { snapshot: "none" } });
    // Gap 5: moto creates every resource; what AWS would report is injected until the driver deletes.
    let deleted = false;
    patchOutput(h.clients.cloudFormation as never, "DeleteStack", () => (deleted = true));
    const reason = "Resource handler returned message: \"Insufficient capacity for node type ra3.large in us-east-1a\"";
    pretendStackStatus(h.clients, "shadowops-pr-12", "ROLLBACK_COMPLETE", failedCreationEvents("shadowops-pr-12", reason), () => !deleted);

    const error = await h.driver.up({ environment: "pr-12", workload: WORKLOAD, progress: collect(h) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StackFailedError);
    expect(error).toMatchObject({ status: "ROLLBACK_COMPLETE", reasons: [`WarehouseCluster (AWS::Redshift::Cluster): ${reason}`], leftovers: [] });
    expect((error as Error).message).toContain("nothing of it is left");
    expect(h.configured).toEqual([]);
    expect(await look.stackExists("shadowops-pr-12")).toBe(false);
    expect(await look.clusterIds()).toEqual([]);
    expect(await look.taggedResources("pr-12")).toEqual([]);
  });

  it("a stack stuck in DELETE_FAILED is retried once, then reported with the reasons and what to do", async () => {
    const h = harness({ settings: { snapshot: "none" } });
    await h.driver.up({ environment: "pr-13", progress: collect(h) });
    // CloudFormation's DELETE_FAILED cannot be produced by moto: DeleteStack is answered here
    // without reaching moto, and the stack reads as DELETE_FAILED with the reason AWS would give.
    const deletes = { count: 0 };
    (h.clients.cloudFormation as unknown as { middlewareStack: { add: Function } }).middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        if (context.commandName !== "DeleteStackCommand") return next(args);
        deletes.count += 1;
        return { output: { $metadata: {} }, response: {} };
      },
      { step: "initialize", name: "swallowDeleteStack" },
    );
    const blocked = "The vpc 'vpc-0abc' has dependencies and cannot be deleted. (Service: Ec2, Status Code: 400)";
    pretendStackStatus(h.clients, "shadowops-pr-13", "DELETE_FAILED", [
      {
        StackName: "shadowops-pr-13",
        StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/shadowops-pr-13/injected",
        EventId: "injected-delete-failed",
        Timestamp: new Date(Date.now() + 60_000),
        LogicalResourceId: "Vpc",
        ResourceType: "AWS::EC2::VPC",
        ResourceStatus: "DELETE_FAILED",
        ResourceStatusReason: blocked,
      },
    ], () => deletes.count > 0);

    const error = await h.driver.down({ environment: "pr-13", progress: collect(h) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StackStuckError);
    expect(deletes.count).toBe(2);
    expect((error as Error).message).toContain(`Vpc (AWS::EC2::VPC): ${blocked}`);
    expect((error as Error).message).toContain("shadowops down --driver aws --env pr-13` again");
  });

  it("reports by name what is left after the stack is gone", async () => {
    const h = harness({ settings: { snapshot: "none" } });
    await h.driver.up({ environment: "pr-14", progress: collect(h) });
    // Something created beside the stack but tagged as the environment's, which CloudFormation
    // does not know about and so does not delete: another VPC.
    const vpc = (await look.ec2.send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }))).Vpc!;
    await look.ec2.send(new CreateTagsCommand({ Resources: [vpc.VpcId!], Tags: [{ Key: "shadowops:environment", Value: "pr-14" }, { Key: "Name", Value: "stray" }] }));

    const error = await h.driver.down({ environment: "pr-14", progress: collect(h) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LeftoverResourcesError);
    expect((error as LeftoverResourcesError).leftovers).toEqual([`arn:aws:ec2:us-east-1:123456789012:vpc/${vpc.VpcId} (stray)`]);
    expect((error as Error).message).toMatch(/Delete them in the AWS console.*shadowops down --driver aws --env pr-14` again/s);
    expect(await look.stackExists("shadowops-pr-14")).toBe(false);
  });

  it("missing and expired credentials are clear errors", async () => {
    const restore = applyEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined });
    try {
      const error = await harness({ faithful: false }).driver.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingCredentialsError);
      expect((error as Error).message).toMatch(/no AWS credentials found .*AWS_PROFILE/s);
    } finally {
      restore();
    }

    const h = harness();
    const expired = injectError(h.clients.cloudFormation as never, "ListStacks", {
      name: "ExpiredToken",
      message: "The security token included in the request is expired",
      status: 403,
    });
    const error = await h.driver.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredCredentialsError);
    expect((error as Error).message).toMatch(/have expired .*aws sso login/s);
    expect(expired.attempts).toBe(1);
  });

  it("refuses bad input before any AWS call", async () => {
    const cases: [Parameters<typeof harness>[0], new (...args: never[]) => Error][] = [
      [{ settings: { allowedCidr: "10.0.0.1/33" } }, InvalidAllowedCidrError],
      [{ settings: { allowedCidr: "203.0.113.7/24" } }, InvalidAllowedCidrError],
      [{ settings: { allowedCidr: "0.0.0.0/0" } }, InvalidAllowedCidrError],
      [{ settings: { expiresAt: "tomorrow at noon" } }, InvalidExpiresAtError],
      [{ settings: { expiresAt: "2026-11-28T18:00:00" } }, InvalidExpiresAtError],
      [{ settings: { expiresAt: "2020-01-01T00:00:00Z" } }, InvalidExpiresAtError],
      [{ settings: { instanceType: "x9.huge" } }, UnknownPriceError],
      [{ metadata: { ...METADATA, commit: "main" } }, InvalidShadowMetadataError],
      [{ metadata: { repository: "acme/warehouse", commit: METADATA.commit } }, InvalidShadowMetadataError],
    ];
    for (const [options, type] of cases) {
      const h = harness(options);
      await expect(h.driver.up({ environment: "pr-15", progress: collect(h) })).rejects.toThrow(type);
      expect(h.calls).toEqual([]);
    }
  });

  it("reap leaves a stack whose expires-at cannot be read, and says why", async () => {
    await look.cloudFormation.send(
      new CreateStackCommand({
        StackName: "shadowops-odd",
        TemplateBody: JSON.stringify({ Resources: { Marker: { Type: "AWS::SSM::Parameter", Properties: { Name: "/shadowops-test/odd", Type: "String", Value: "x" } } } }),
        Tags: [
          { Key: "shadowops:environment", Value: "odd" },
          { Key: "shadowops:expires-at", Value: "next tuesday" },
        ],
      }),
    );
    const h = harness();
    const result = await h.driver.reap({ dryRun: false, progress: collect(h) });
    expect(result.expired).toEqual([]);
    expect(result.skipped).toEqual([{ name: "odd", reason: expect.stringContaining('"next tuesday" is not a time shadowops can read') }]);
    expect(await look.stackExists("shadowops-odd")).toBe(true);
  });
});

describe("aws driver in moto: configure, migrate and run a DAG on a ready environment", { timeout: 60_000 }, () => {
  it("re-runs the host configuration, migrates through the warehouse connection, and runs the DAG with the Airflow secret", async () => {
    // moto runs no host and no Redshift: the warehouse connection goes to a scratch database on
    // the local PostgreSQL, and Airflow is a scripted fake; what is checked is what the driver
    // hands them (endpoint, database, secret ARNs, Airflow URL) and what it does with the answers.
    const db = await createScratchDatabase();
    const migrations = mkdtempSync(join(tmpdir(), "shadowops-aws-migrations-"));
    writeFileSync(join(migrations, "0001_probe.sql"), "CREATE TABLE shadow_probe (id INTEGER);\n");
    writeFileSync(join(migrations, "0002_probe_row.sql"), "INSERT INTO shadow_probe VALUES (1);\n");
    const workload = { ...WORKLOAD, migrationsDir: migrations };
    const targets: unknown[] = [];
    const logins: string[] = [];
    const origins: string[] = [];
    const fake = fakeFetch({
      "POST /auth/token": tokenRoute(),
      "GET /api/v2/dags/warehouse_metrics": () =>
        json(200, { dag_id: "warehouse_metrics", is_paused: true, is_stale: false, has_import_errors: false, relative_fileloc: "x.py", last_parsed_time: new Date(Date.now() + HOUR).toISOString() }),
      // Already parsed after any redeploy: configure has nothing to wait for.
      "GET /api/v2/dags": () => json(200, { dags: [{ dag_id: "warehouse_metrics" }], total_entries: 1 }),
      "PATCH /api/v2/dags/warehouse_metrics": () => json(200, { dag_id: "warehouse_metrics", is_paused: false }),
      "POST /api/v2/dags/warehouse_metrics/dagRuns": () => json(200, dagRun("queued", { dag_id: "warehouse_metrics" })),
      "GET /api/v2/dags/warehouse_metrics/dagRuns/run-1": () =>
        json(200, dagRun("success", { dag_id: "warehouse_metrics", start_date: "2026-01-01T00:00:00Z", end_date: "2026-01-01T00:01:00Z" })),
      "GET /api/v2/dags/warehouse_metrics/dagRuns/run-1/taskInstances": () =>
        json(200, { task_instances: [taskInstance("check_sources", "success", { dag_id: "warehouse_metrics", duration: 1.5 })], total_entries: 1 }),
    });
    const h = harness({
      settings: { snapshot: "none" },
      extra: {
        connectWarehouse: async (target) => {
          targets.push(target);
          return db.connect();
        },
        readLogin: async (arn) => {
          logins.push(arn);
          return { username: "admin", password: "from-secrets-manager" };
        },
        airflowClient: (connection) =>
          new AirflowClient({
            ...connection,
            fetch: (input, init) => {
              const url = String(input);
              origins.push(new URL(url).origin);
              return fake.fetch(url.replace(/dagRuns\/shadowops__[^/?]+/, "dagRuns/run-1"), init);
            },
          }),
      },
    });
    try {
      const record = await h.driver.up({ environment: "pr-20", progress: collect(h) });
      const outputs = (record.details as unknown as AwsDetails).outputs;

      await h.driver.configure({ environment: "pr-20", workload, progress: collect(h) });
      expect(h.configured.map((c) => c.environment)).toEqual(["pr-20"]);

      const results = await h.driver.migrate({ environment: "pr-20", workload, progress: collect(h) });
      expect(results.map((r) => [r.name, r.status])).toEqual([["0001_probe.sql", "applied"], ["0002_probe_row.sql", "applied"]]);
      expect(targets).toEqual([{ host: outputs.WarehouseEndpoint, port: 5439, database: "warehouse", secretArn: outputs.WarehouseSecretArn }]);
      const again = await h.driver.migrate({ environment: "pr-20", workload, progress: collect(h) });
      expect(again.map((r) => r.status)).toEqual(["skipped", "skipped"]);

      const run = await h.driver.runDag({ environment: "pr-20", dagId: "warehouse_metrics", progress: collect(h) });
      expect(run).toMatchObject({ dagId: "warehouse_metrics", state: "success", tasks: [{ taskId: "check_sources", state: "success", durationMs: 1500 }] });
      // configure logs in to wait for the re-parse, run-dag to trigger.
      expect(logins).toEqual([outputs.AirflowSecretArn, outputs.AirflowSecretArn]);
      expect(new Set(origins)).toEqual(new Set([new URL(record.airflowUrl!).origin]));
      expect(fake.calls.find((c) => c.path === "/auth/token")?.body).toEqual({ username: "admin", password: "from-secrets-manager" });
      expect((await h.driver.get("pr-20"))!.state).toBe("passed");
    } finally {
      await db.drop();
      rmSync(migrations, { recursive: true, force: true });
    }
  });
  it("after a redeploy, configure waits until Airflow parsed every DAG again, so run-dag in another process cannot run the old code", async () => {
    // The orb runs configure and run-dag as separate processes: only the step that deployed knows
    // when, so it must wait. The fake's dag-processor parses 300 ms after it is asked to.
    const before = new Date(Date.now() - HOUR).toISOString();
    const parsed: Record<string, string> = { nightly_export: before, warehouse_metrics: before };
    const parsedAtMs: Record<string, number> = {};
    const dag = (id: string) => ({
      dag_id: id, is_paused: false, is_stale: false, has_import_errors: false,
      relative_fileloc: `${id}.py`, last_parsed_time: parsed[id], file_token: `token-${id}`,
    });
    const reparse = (id: string) => () => {
      setTimeout(() => {
        parsed[id] = new Date().toISOString();
        parsedAtMs[id] = Date.now();
      }, 300);
      return json(201, null);
    };
    const fake = fakeFetch({
      "POST /auth/token": tokenRoute(),
      "GET /api/v2/dags": () => json(200, { dags: Object.keys(parsed).map(dag), total_entries: 2 }),
      "GET /api/v2/dags/nightly_export": () => json(200, dag("nightly_export")),
      "GET /api/v2/dags/warehouse_metrics": () => json(200, dag("warehouse_metrics")),
      "PUT /api/v2/parseDagFile/token-nightly_export": reparse("nightly_export"),
      "PUT /api/v2/parseDagFile/token-warehouse_metrics": reparse("warehouse_metrics"),
    });
    const h = harness({
      settings: { snapshot: "none" },
      extra: {
        readLogin: async () => ({ username: "admin", password: "from-secrets-manager" }),
        airflowClient: (connection) => new AirflowClient({ ...connection, fetch: fake.fetch }),
      },
    });
    await h.driver.up({ environment: "pr-21", progress: collect(h) });

    await h.driver.configure({ environment: "pr-21", workload: WORKLOAD, progress: collect(h) });
    const configuredAt = Date.now();

    expect(fake.calls.filter((c) => c.method === "PUT").map((c) => c.path)).toEqual([
      "/api/v2/parseDagFile/token-nightly_export",
      "/api/v2/parseDagFile/token-warehouse_metrics",
    ]);
    expect(parsedAtMs.nightly_export).toBeLessThanOrEqual(configuredAt);
    expect(parsedAtMs.warehouse_metrics).toBeLessThanOrEqual(configuredAt);
    expect(h.progress.map((p) => p.message)).toContain("Airflow parsed the redeployed code: nightly_export, warehouse_metrics");
  });

  it("configure fails, naming the DAG, when Airflow does not parse the redeployed code in time", async () => {
    const stale = { dag_id: "warehouse_metrics", is_paused: false, is_stale: false, has_import_errors: false, relative_fileloc: "x.py", last_parsed_time: new Date(Date.now() - HOUR).toISOString(), file_token: "t" };
    const fake = fakeFetch({
      "POST /auth/token": tokenRoute(),
      "GET /api/v2/dags": () => json(200, { dags: [stale], total_entries: 1 }),
      "GET /api/v2/dags/warehouse_metrics": () => json(200, stale),
      "PUT /api/v2/parseDagFile/t": () => json(201, null),
    });
    const h = harness({
      settings: { snapshot: "none" },
      extra: {
        readLogin: async () => ({ username: "admin", password: "from-secrets-manager" }),
        airflowClient: (connection) => new AirflowClient({ ...connection, fetch: fake.fetch }),
        reparseTimeoutMs: 1_500,
      },
    });
    await h.driver.up({ environment: "pr-22", progress: collect(h) });
    await expect(h.driver.configure({ environment: "pr-22", workload: WORKLOAD, progress: collect(h) })).rejects.toThrow(
      /Airflow did not re-parse warehouse_metrics after the redeploy/,
    );
  });
});
