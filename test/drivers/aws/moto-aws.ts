/**
 * What the aws driver's tests share: fake credentials, the templates as moto can run them, SDK
 * middleware that counts calls, injects the errors moto cannot produce and fills in what moto
 * leaves out, and direct looks at the emulator's state ("is anything left?").
 *
 * moto gaps met by these tests (each test names the one it works around):
 *  1. The host image parameter: moto seeds only Amazon Linux's public SSM parameters, so the
 *     template it gets points the default at one of those (as cloudformation/tests does), or at
 *     TEST_IMAGE_PARAMETER, which a test can move to another image.
 *  2. AWS::SecretsManager::Secret is skipped: no secrets, no WarehouseSecretArn/AirflowSecretArn
 *     outputs, and the cluster's password stays the unresolved {{resolve:secretsmanager:…}} text.
 *     GetAtt of a Redshift Endpoint.Address gives the whole endpoint as a dict's repr, and Ref of
 *     the cluster (WarehouseClusterIdentifier) a Python object's repr.
 *  3. Redshift resources in a stack are not deleted with it, not tagged, and not given the
 *     template's names (the driver's leftover removal handles this; the tests check it does).
 *  4. DeleteStack never deletes the route table, so the VPC, subnets and internet gateway stay
 *     (sometimes it answers DependencyViolation and forgets the stack). CloudFormation deletes them.
 *  5. Stack events: only the stack's own, never a resource's; so failure reasons are injected.
 *  6. After an update, DescribeStacks fails (500) for a stack whose outputs GetAtt the Redshift
 *     cluster (moto drops the cluster from the stack on update); change sets list no changes.
 *     Resources without an update handler (the instance, Redshift) are neither replaced nor
 *     retagged by an update: moto cannot show a replacement, whatever the image.
 *  7. ClientRequestToken is not remembered (a repeated CreateStack is AlreadyExists).
 *  8. DescribeClusterSnapshots for a cluster without snapshots answers every snapshot in the
 *     region (the driver keeps only the production cluster's, which AWS's filter would).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type DescribeStackEventsCommandOutput,
  type DescribeStacksCommandOutput,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CreateClusterCommand, CreateClusterSnapshotCommand, DescribeClustersCommand, RedshiftClient } from "@aws-sdk/client-redshift";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { CreateSecretCommand, GetRandomPasswordCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsClients } from "../../../src/drivers/aws/aws-driver.js";
import { createAwsClients } from "../../../src/drivers/aws/aws-clients.js";
import { REPO_ROOT } from "../../support/run-cli.js";
import type { MotoServer } from "../../support/start-moto.js";

export const REGION = "us-east-1";

/** Fake credentials and the emulator's endpoint, the standard way: nothing here can reach AWS. */
export function motoEnv(moto: MotoServer): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_SESSION_TOKEN: "testing",
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/shadowops-test/credentials",
    AWS_CONFIG_FILE: "/nonexistent/shadowops-test/config",
  };
}

export function applyEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return () => applyEnv(saved);
}

const UBUNTU_IMAGE_PARAMETER = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";
const MOTO_IMAGE_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
/** The unique part of the literal warehouse endpoints of motoTemplate (Redshift's are 12 characters). */
export const WAREHOUSE_ENDPOINT_ID = "c0ffee5ad0b5";

/** The WarehouseEndpoint output of a stack made from motoTemplate with `literalWarehouseEndpoint`. */
export function warehouseEndpointOf(environment: string, region = REGION): string {
  return `${environment}.${WAREHOUSE_ENDPOINT_ID}.${region}.redshift.amazonaws.com`;
}

/** A stand-in for Canonical's image parameter that a test can move to a newer image (gap 1). */
export const TEST_IMAGE_PARAMETER = "/shadowops-test/ubuntu/current/ami-id";

/**
 * cloudformation/shadow-environment.yaml as moto can create it (gap 1). With `withoutWarehouseOutputs`,
 * also without the three outputs that GetAtt/Ref the Redshift cluster, for tests that update the
 * stack (gap 6). With `literalSecretOutputs`, the secret ARN outputs are literal ARNs of the
 * shape Secrets Manager gives, since moto skips the secrets (gap 2): for tests that cannot add
 * them with middleware (the CLI builds its own clients). With `literalWarehouseEndpoint`, the
 * WarehouseEndpoint output is a literal name of the shape Redshift gives, `<environment>.
 * ${WAREHOUSE_ENDPOINT_ID}.<region>.redshift.amazonaws.com`, since moto's GetAtt gives the whole
 * endpoint as a dict's repr (gap 2): for tests where a server answers as that cluster, with a
 * certificate for the name (see warehouseEndpointOf).
 */
export function motoTemplate(
  dir: string,
  options: {
    withoutWarehouseOutputs?: boolean;
    literalSecretOutputs?: boolean;
    literalWarehouseEndpoint?: boolean;
    testImageParameter?: boolean;
    withoutImagePin?: boolean;
  } = {},
): string {
  let body = readFileSync(join(REPO_ROOT, "cloudformation", "shadow-environment.yaml"), "utf8");
  if (options.withoutImagePin) {
    // The template as it was before PinnedHostImageId, for stacks created by an older shadowops.
    const unpinned = body
      .replace(/ {2}PinnedHostImageId:\n[\s\S]*?(?= {2}HostInstanceType:)/, "")
      .replace(/ {2}HasPinnedHostImage: .*\n/, "")
      .replace("ImageId: !If [HasPinnedHostImage, !Ref PinnedHostImageId, !Ref HostImageId]", "ImageId: !Ref HostImageId");
    if (/HasPinnedHostImage|Ref PinnedHostImageId|^ {2}PinnedHostImageId:/m.test(unpinned)) throw new Error("the template's image pin changed: update moto-aws.ts");
    body = unpinned;
  }
  if (!body.includes(UBUNTU_IMAGE_PARAMETER)) throw new Error("the template's image parameter changed: update moto-aws.ts");
  body = body.replace(UBUNTU_IMAGE_PARAMETER, options.testImageParameter ? TEST_IMAGE_PARAMETER : MOTO_IMAGE_PARAMETER);
  if (options.withoutWarehouseOutputs) {
    const stripped = body.replace(/ {2}# The long form of GetAtt[\s\S]*?(?= {2}WarehouseSecretArn:)/, "");
    if (stripped === body) throw new Error("the template's warehouse outputs changed: update moto-aws.ts");
    body = stripped;
  }
  if (options.literalSecretOutputs) {
    for (const [resource, kind] of [["WarehouseSecret", "warehouse"], ["AirflowSecret", "airflow"]]) {
      const reference = `Value: !Ref ${resource}\n`;
      if (!body.includes(reference)) throw new Error(`the template's ${resource} output changed: update moto-aws.ts`);
      body = body.replace(reference, `Value: !Sub "arn:aws:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:shadowops/\${EnvironmentName}/${kind}-1a2b3c4d-AbCdEf"\n`);
    }
  }
  if (options.literalWarehouseEndpoint) {
    const reference = "Value:\n      Fn::GetAtt: [WarehouseCluster, Endpoint.Address]\n";
    if (!body.includes(reference)) throw new Error("the template's WarehouseEndpoint output changed: update moto-aws.ts");
    body = body.replace(reference, `Value: !Sub "\${EnvironmentName}.${WAREHOUSE_ENDPOINT_ID}.\${AWS::Region}.redshift.amazonaws.com"\n`);
  }
  const name = [
    "shadow-environment.moto",
    options.withoutWarehouseOutputs ? "-updatable" : "",
    options.literalSecretOutputs ? "-secrets" : "",
    options.literalWarehouseEndpoint ? "-endpoint" : "",
    options.testImageParameter ? "-test-image" : "",
    options.withoutImagePin ? "-unpinned" : "",
    ".yaml",
  ].join("");
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

type AnyClient = { middlewareStack: { add: Function; addRelativeTo: Function }; config: { serviceId?: string } };

/** Every call each client makes, as "Service.Command", attempts included when `attempts` is set. */
export function recordCalls(clients: AwsClients): string[] {
  const calls: string[] = [];
  for (const client of Object.values(clients) as AnyClient[]) {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string; clientName?: string }) => async (args: unknown) => {
        calls.push(`${(context.clientName ?? "").replace(/Client$/, "")}.${(context.commandName ?? "").replace(/Command$/, "")}`);
        return next(args);
      },
      { step: "initialize", name: "shadowopsTestRecordCalls" },
    );
  }
  return calls;
}

/**
 * Makes `command` fail with an AWS error on its first `times` attempts (Infinity: always), inside
 * the SDK's retry loop, the way a throttled or refused request fails: the SDK sees the error the
 * server would have sent. Returns a counter of the attempts that reached the middleware.
 */
export function injectError(
  client: AnyClient,
  command: string,
  error: { name: string; message: string; status: number },
  times = Number.POSITIVE_INFINITY,
): { attempts: number } {
  const counter = { attempts: 0 };
  client.middlewareStack.addRelativeTo(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (context.commandName === `${command}Command`) {
        counter.attempts += 1;
        if (counter.attempts <= times) {
          throw new CloudFormationServiceException({
            name: error.name,
            $fault: error.status >= 500 ? "server" : "client",
            $metadata: { httpStatusCode: error.status },
            message: error.message,
          });
        }
      }
      return next(args);
    },
    { relation: "after", toMiddleware: "retryMiddleware", name: `shadowopsTestInject${command}${Math.random()}` },
  );
  return counter;
}

/** Lets a test rewrite what a command answers (to show what AWS would, where moto differs). */
export function patchOutput<T>(client: AnyClient, command: string, patch: (output: T, input: Record<string, unknown>) => void): void {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<{ output: T }>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        const result = await next(args);
        if (context.commandName === `${command}Command`) patch(result.output, args.input);
        return result;
      },
    { step: "initialize", name: `shadowopsTestPatch${command}${Math.random()}` },
  );
}

/**
 * Gap 2: the outputs CloudFormation would give for the secrets, and the warehouse address alone.
 * The ARNs are shaped like Secrets Manager's (name plus six random characters).
 */
export function addCloudFormationOutputs(clients: AwsClients): void {
  patchOutput<DescribeStacksCommandOutput>(clients.cloudFormation as unknown as AnyClient, "DescribeStacks", (output) => {
    for (const stack of output.Stacks ?? []) {
      const outputs = stack.Outputs ?? [];
      if (!outputs.length) continue;
      const environment = (stack.StackName ?? "").replace(/^shadowops-/, "");
      for (const [key, kind] of [["WarehouseSecretArn", "warehouse"], ["AirflowSecretArn", "airflow"]] as const) {
        if (!outputs.some((o) => o.OutputKey === key)) {
          outputs.push({ OutputKey: key, OutputValue: `arn:aws:secretsmanager:${REGION}:123456789012:secret:shadowops/${environment}/${kind}-1a2b3c4d-AbCdEf` });
        }
      }
      // moto's endpoint address is "<cluster identifier>.<unique id>.<region>.redshift.amazonaws.com".
      const address = outputs.map((o) => /^\{'Address': '([^']+)'/.exec(o.OutputValue ?? "")?.[1]).find(Boolean);
      for (const item of outputs) {
        if (item.OutputKey === "WarehouseEndpoint" && address) item.OutputValue = address;
        if (item.OutputKey === "WarehouseClusterIdentifier" && address) item.OutputValue = address.split(".")[0];
      }
      stack.Outputs = outputs;
    }
  });
}

/**
 * Gap 2: the secret CloudFormation would have generated, under the name whose ARN the outputs
 * above (and motoTemplate's literal ones) give: moto finds a secret by the name in an ARN it did
 * not issue. The password comes from Secrets Manager's own generator, as the template's does.
 */
export async function createSkippedSecret(
  environment: string,
  kind: "warehouse" | "airflow",
  username: string,
): Promise<{ arn: string; password: string }> {
  const client = new SecretsManagerClient({ region: REGION });
  const password = (await client.send(new GetRandomPasswordCommand({ PasswordLength: 32, ExcludePunctuation: true, RequireEachIncludedType: true })))
    .RandomPassword!;
  const name = `shadowops/${environment}/${kind}-1a2b3c4d-AbCdEf`;
  // Untagged: moto's DeleteStack would not delete it, and `down` would rightly report it as left behind.
  await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username, password }) }));
  return { arn: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${name}`, password };
}

/**
 * The admin password moto holds for a cluster, from its state dump: no AWS API returns a
 * password, and this shows what a ModifyCluster really did to the emulator's cluster.
 */
export async function motoClusterPassword(moto: MotoServer, clusterIdentifier: string): Promise<string | undefined> {
  const state = (await (await fetch(`${moto.url}/moto-api/data.json`)).json()) as {
    redshift?: { Cluster?: { cluster_identifier: string; master_user_password?: string }[] };
  };
  return state.redshift?.Cluster?.find((cluster) => cluster.cluster_identifier === clusterIdentifier)?.master_user_password;
}

/**
 * Sets TEST_IMAGE_PARAMETER in moto's Parameter Store, as Canonical moves its parameter to a new
 * image. Plain JSON over HTTP: the package has no SSM client, and moto does not check signatures.
 */
export async function setTestImageParameter(moto: MotoServer, imageId: string): Promise<void> {
  const response = await fetch(moto.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AmazonSSM.PutParameter",
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Name: TEST_IMAGE_PARAMETER, Value: imageId, Type: "String", Overwrite: true }),
  });
  if (!response.ok) throw new Error(`moto PutParameter answered ${response.status}: ${await response.text()}`);
}

/**
 * Gap 4: finishes what moto's DeleteStack leaves (route tables, subnets, internet gateway, VPC),
 * the way CloudFormation deletes them, and swallows moto's DependencyViolation, which
 * CloudFormation never answers to DeleteStack. Redshift (gap 3) is left for the driver: the
 * network goes when the driver next asks the tagging API what is left, that is after it removed
 * the warehouse (moto cannot describe a Redshift subnet group whose subnets are gone).
 */
export function completeMotoStackDeletion(clients: AwsClients, ec2: EC2Client): void {
  const pending = new Set<string>();
  const cloudFormation = new CloudFormationClient({ region: REGION });
  (clients.cloudFormation as unknown as AnyClient).middlewareStack.add(
    (next: (args: { input: { StackName?: string } }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: { StackName?: string } }) => {
        if (context.commandName !== "DeleteStackCommand") return next(args);
        try {
          const resources = await cloudFormation.send(new ListStackResourcesCommand({ StackName: args.input.StackName }));
          const vpc = resources.StackResourceSummaries?.find((resource) => resource.ResourceType === "AWS::EC2::VPC")?.PhysicalResourceId;
          if (vpc) pending.add(vpc);
        } catch {
          // no such stack: nothing to finish
        }
        try {
          return await next(args);
        } catch (error) {
          if ((error as Error).name !== "DependencyViolation") throw error;
          return { output: { $metadata: {} }, response: {} };
        }
      },
    { step: "initialize", name: "shadowopsTestCompleteStackDeletion" },
  );
  (clients.tagging as unknown as AnyClient).middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (context.commandName === "GetResourcesCommand") {
        for (const vpc of pending) await deleteNetwork(ec2, vpc);
        pending.clear();
      }
      return next(args);
    },
    { step: "initialize", name: "shadowopsTestCompleteStackDeletionLater" },
  );
}

/** Deletes a VPC the way CloudFormation deletes the stack's network: host, gateway, routes, subnets, groups. */
export async function deleteNetwork(ec2: EC2Client, vpcId: string): Promise<void> {
  const inVpc = [{ Name: "vpc-id", Values: [vpcId] }];
  const instances = ((await ec2.send(new DescribeInstancesCommand({ Filters: inVpc }))).Reservations ?? [])
    .flatMap((reservation) => reservation.Instances ?? [])
    .filter((instance) => instance.State?.Name !== "terminated")
    .map((instance) => instance.InstanceId!);
  if (instances.length) await ec2.send(new TerminateInstancesCommand({ InstanceIds: instances }));
  for (const gateway of (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }))).InternetGateways ?? []) {
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: gateway.InternetGatewayId, VpcId: vpcId }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: gateway.InternetGatewayId }));
  }
  for (const table of (await ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }))).RouteTables ?? []) {
    if (table.Associations?.some((association) => association.Main)) continue;
    for (const association of table.Associations ?? []) {
      await ec2.send(new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId }));
    }
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: table.RouteTableId }));
  }
  for (const subnet of (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? []) {
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
  }
  for (const group of (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: inVpc }))).SecurityGroups ?? []) {
    if (group.GroupName !== "default") await ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId }));
  }
  await ec2.send(new DeleteVpcCommand({ VpcId: vpcId })).catch((error: Error) => {
    if (!/NotFound/.test(error.name)) throw error;
  });
}

/** Gap 5: what CloudFormation's events would say about a failed creation. */
export function failedCreationEvents(stackName: string, reason: string): StackEvent[] {
  const base = { StackName: stackName, StackId: `arn:aws:cloudformation:${REGION}:123456789012:stack/${stackName}/injected` };
  const at = (seconds: number) => new Date(Date.now() - 60_000 + seconds * 1_000);
  return [
    { ...base, EventId: "injected-4", Timestamp: at(4), LogicalResourceId: stackName, ResourceType: "AWS::CloudFormation::Stack", ResourceStatus: "ROLLBACK_COMPLETE" },
    { ...base, EventId: "injected-3", Timestamp: at(3), LogicalResourceId: "WarehouseCluster", ResourceType: "AWS::Redshift::Cluster", ResourceStatus: "DELETE_COMPLETE" },
    {
      ...base,
      EventId: "injected-2",
      Timestamp: at(2),
      LogicalResourceId: stackName,
      ResourceType: "AWS::CloudFormation::Stack",
      ResourceStatus: "ROLLBACK_IN_PROGRESS",
      ResourceStatusReason: "The following resource(s) failed to create: [WarehouseCluster]. Rollback requested by user.",
    },
    {
      ...base,
      EventId: "injected-1",
      Timestamp: at(1),
      LogicalResourceId: "WarehouseCluster",
      ResourceType: "AWS::Redshift::Cluster",
      ResourceStatus: "CREATE_FAILED",
      ResourceStatusReason: reason,
    },
  ];
}

/** Makes a stack read as `status` with `events` while `active()` says so (gap 5). */
export function pretendStackStatus(clients: AwsClients, stackName: string, status: string, events: StackEvent[], active: () => boolean): void {
  const client = clients.cloudFormation as unknown as AnyClient;
  patchOutput<DescribeStacksCommandOutput>(client, "DescribeStacks", (output) => {
    if (!active()) return;
    for (const stack of output.Stacks ?? []) {
      if (stack.StackName === stackName) {
        stack.StackStatus = status as never;
        stack.StackStatusReason = events.find((e) => e.ResourceType === "AWS::CloudFormation::Stack" && e.ResourceStatusReason)?.ResourceStatusReason;
      }
    }
  });
  patchOutput<DescribeStackEventsCommandOutput>(client, "DescribeStackEvents", (output) => {
    if (!active()) return;
    output.StackEvents = [...events, ...(output.StackEvents ?? [])];
  });
}

/** The production cluster and its snapshots, taken one after the other (newest last). */
export async function createProduction(redshift: RedshiftClient, snapshots: string[]): Promise<void> {
  await redshift.send(
    new CreateClusterCommand({
      ClusterIdentifier: "production",
      NodeType: "ra3.xlplus",
      ClusterType: "single-node",
      MasterUsername: "warehouse_admin",
      MasterUserPassword: "Production1",
      DBName: "analytics",
    }),
  );
  for (const id of snapshots) {
    await redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: "production", SnapshotIdentifier: id }));
    // Snapshot times have millisecond resolution; keep them apart.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Independent clients (no test middleware) to look at the emulator's state. */
export function inspector() {
  const config = { region: REGION };
  const cloudFormation = new CloudFormationClient(config);
  const redshift = new RedshiftClient(config);
  const tagging = new ResourceGroupsTaggingAPIClient(config);
  const ec2 = new EC2Client(config);
  return {
    cloudFormation,
    redshift,
    ec2,
    async stackExists(stackName: string): Promise<boolean> {
      try {
        const stacks = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
        return stacks.some((stack) => stack.StackStatus !== "DELETE_COMPLETE");
      } catch (error) {
        if (/does not exist/.test((error as Error).message)) return false;
        throw error;
      }
    },
    async clusterIds(): Promise<string[]> {
      return ((await redshift.send(new DescribeClustersCommand({}))).Clusters ?? []).map((c) => c.ClusterIdentifier!);
    },
    /** Everything still tagged with the environment, less terminated instances. */
    async taggedResources(environment: string): Promise<string[]> {
      const arns = ((await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: "shadowops:environment", Values: [environment] }] })))
        .ResourceTagMappingList ?? []).map((mapping) => mapping.ResourceARN!);
      const instances = arns.map((arn) => /instance\/(i-\w+)$/.exec(arn)?.[1]).filter((id): id is string => !!id);
      const terminated = new Set<string>();
      if (instances.length) {
        const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instances }));
        for (const instance of described.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
          if (instance.State?.Name === "terminated") terminated.add(instance.InstanceId!);
        }
      }
      return arns.filter((arn) => !terminated.has(/instance\/(i-\w+)$/.exec(arn)?.[1] ?? ""));
    },
  };
}

export function motoClients(region = REGION): AwsClients {
  return createAwsClients({ region });
}
