import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  DeleteClusterCommand,
  DeleteClusterParameterGroupCommand,
  DeleteClusterSubnetGroupCommand,
  DescribeClustersCommand,
  type RedshiftClient,
} from "@aws-sdk/client-redshift";
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient, type ResourceTagMapping } from "@aws-sdk/client-resource-groups-tagging-api";
import { DescribeSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Progress } from "../progress.js";
import { awsErrorName, toAwsError } from "./aws-errors.js";
import { SHADOW_TAG, tagMap } from "./shadow-tags.js";
import type { PollTiming } from "./wait-for-stack.js";

export interface LeftoverClients {
  redshift: RedshiftClient;
  tagging: ResourceGroupsTaggingAPIClient;
  ec2: EC2Client;
  secretsManager: SecretsManagerClient;
}

export interface RemoveLeftoversParams {
  clients: LeftoverClients;
  environment: string;
  stackName: string;
  progress: Progress;
  poll: PollTiming;
  /** How long to wait for a leftover Redshift cluster to be deleted. */
  clusterTimeoutMs: number;
}

/**
 * After the stack is gone: removes what of the environment's warehouse is still there, then lists
 * everything else still tagged with the environment. Returns the leftovers, by ARN and name.
 *
 * The warehouse first, because it costs the most and because it is what CloudFormation may leave:
 * a cluster whose deletion failed, or, in the emulator, every Redshift resource (moto does not
 * delete them with their stack, nor tag them, nor honour ClusterIdentifier). Its pieces are found
 * by tag and by name: the template's (`shadowops-<env>`) or CloudFormation's generated one
 * (`<stack>-<LogicalId>-<suffix>`).
 */
export async function removeLeftovers(params: RemoveLeftoversParams): Promise<string[]> {
  const deletedClusters = await removeWarehouse(params);
  return listTaggedLeftovers(params, deletedClusters);
}

function belongsTo(stackName: string, environment: string, logicalId: string) {
  const generated = new RegExp(`^${escapeRegExp(stackName)}-${logicalId}-[A-Za-z0-9]+$`, "i");
  return (name: string | undefined, tags: readonly { Key?: string; Value?: string }[] | undefined) =>
    name !== undefined &&
    (name === stackName || generated.test(name) || tagMap(tags)[SHADOW_TAG.environment] === environment);
}

async function removeWarehouse(params: RemoveLeftoversParams): Promise<string[]> {
  const { clients, environment, stackName, progress } = params;
  const { redshift } = clients;
  const isCluster = belongsTo(stackName, environment, "WarehouseCluster");
  const clusters = await pages("DescribeClusters", async (marker) => {
    const page = await redshift.send(new DescribeClustersCommand({ Marker: marker }));
    return { items: page.Clusters ?? [], next: page.Marker };
  });
  const ours = clusters.filter((cluster) => isCluster(cluster.ClusterIdentifier, cluster.Tags));
  for (const cluster of ours) {
    if (cluster.ClusterStatus === "deleting") continue;
    progress({ phase: "down", message: `deleting leftover Redshift cluster ${cluster.ClusterIdentifier} (no final snapshot)` });
    try {
      await redshift.send(new DeleteClusterCommand({ ClusterIdentifier: cluster.ClusterIdentifier, SkipFinalClusterSnapshot: true }));
    } catch (error) {
      if (awsErrorName(error) !== "ClusterNotFoundFault" && awsErrorName(error) !== "InvalidClusterStateFault") throw toAwsError(error, "DeleteCluster");
    }
  }
  const deadline = Date.now() + params.clusterTimeoutMs;
  for (const cluster of ours) {
    for (let interval = params.poll.intervalMs; ; interval = Math.min(params.poll.maxIntervalMs, Math.round(interval * 1.5))) {
      try {
        await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: cluster.ClusterIdentifier }));
      } catch (error) {
        if (awsErrorName(error) === "ClusterNotFoundFault") break;
        throw toAwsError(error, "DescribeClusters");
      }
      // Still deleting after the timeout: the tag check below reports it.
      if (Date.now() >= deadline) break;
      await params.poll.sleep(interval);
    }
  }

  // The groups go by name (the template's, and the ones the clusters used): listing every group
  // in the account is slow, and moto cannot describe a subnet group whose subnets are gone.
  const subnetGroups = new Set([stackName, ...ours.map((cluster) => cluster.ClusterSubnetGroupName)]);
  for (const name of [...subnetGroups].filter((item): item is string => !!item && belongsTo(stackName, environment, "WarehouseSubnetGroup")(item, []))) {
    if (await deletedIfThere("DeleteClusterSubnetGroup", () => redshift.send(new DeleteClusterSubnetGroupCommand({ ClusterSubnetGroupName: name })))) {
      progress({ phase: "down", message: `deleted leftover Redshift subnet group ${name}` });
    }
  }
  const parameterGroups = new Set([stackName, ...ours.flatMap((cluster) => (cluster.ClusterParameterGroups ?? []).map((group) => group.ParameterGroupName))]);
  for (const name of [...parameterGroups].filter((item): item is string => !!item && belongsTo(stackName, environment, "WarehouseParameterGroup")(item, []))) {
    if (await deletedIfThere("DeleteClusterParameterGroup", () => redshift.send(new DeleteClusterParameterGroupCommand({ ParameterGroupName: name })))) {
      progress({ phase: "down", message: `deleted leftover Redshift parameter group ${name}` });
    }
  }
  return ours.map((cluster) => cluster.ClusterIdentifier!);
}

/**
 * Everything the Resource Groups Tagging API still lists under the environment's tag, less what
 * is on its way out: terminated instances (EC2 shows them for an hour), secrets scheduled for
 * deletion, the deleted stack itself and the clusters deleted above.
 */
async function listTaggedLeftovers(params: RemoveLeftoversParams, deletedClusters: string[]): Promise<string[]> {
  const { clients, environment, stackName } = params;
  const mappings = await pages<ResourceTagMapping>("GetResources", async (token) => {
    const page = await clients.tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: SHADOW_TAG.environment, Values: [environment] }], PaginationToken: token }),
    );
    return { items: page.ResourceTagMappingList ?? [], next: page.PaginationToken || undefined };
  });

  const instanceIds = mappings.map((m) => /:instance\/(i-[0-9a-f]+)$/.exec(m.ResourceARN ?? "")?.[1]).filter((id): id is string => !!id);
  const goneInstances = await instancesOnTheirWayOut(clients.ec2, instanceIds);

  const leftovers: string[] = [];
  for (const mapping of mappings) {
    const arn = mapping.ResourceARN ?? "";
    if (arn.includes(`:stack/${stackName}/`)) continue;
    const instance = /:instance\/(i-[0-9a-f]+)$/.exec(arn)?.[1];
    if (instance && goneInstances.has(instance)) continue;
    if (deletedClusters.some((id) => arn.endsWith(`:cluster:${id}`))) continue;
    if (arn.includes(":secretsmanager:") && (await secretIsScheduledForDeletion(clients.secretsManager, arn))) continue;
    const name = tagMap(mapping.Tags).Name;
    leftovers.push(name ? `${arn} (${name})` : arn);
  }
  return leftovers;
}

/** Instances that are terminated, shutting down or unknown (one unknown id fails a whole call: ask one by one). */
async function instancesOnTheirWayOut(ec2: EC2Client, ids: string[]): Promise<Set<string>> {
  const gone = new Set<string>();
  if (ids.length === 0) return gone;
  try {
    const reservations = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))).Reservations ?? [];
    for (const instance of reservations.flatMap((r) => r.Instances ?? [])) {
      if (instance.State?.Name === "terminated" || instance.State?.Name === "shutting-down") gone.add(instance.InstanceId!);
    }
  } catch (error) {
    if (awsErrorName(error) !== "InvalidInstanceID.NotFound") throw toAwsError(error, "DescribeInstances");
    if (ids.length === 1) return new Set(ids);
    for (const id of ids) for (const each of await instancesOnTheirWayOut(ec2, [id])) gone.add(each);
  }
  return gone;
}

async function secretIsScheduledForDeletion(client: SecretsManagerClient, arn: string): Promise<boolean> {
  try {
    return (await client.send(new DescribeSecretCommand({ SecretId: arn }))).DeletedDate !== undefined;
  } catch (error) {
    if (awsErrorName(error) === "ResourceNotFoundException") return true;
    throw toAwsError(error, "DescribeSecret");
  }
}

async function pages<T>(action: string, fetchPage: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await fetchPage(token);
      items.push(...page.items);
      token = page.next;
    } while (token);
  } catch (error) {
    throw toAwsError(error, action);
  }
  return items;
}

/** True when it deleted something; false when there was nothing by that name. */
async function deletedIfThere(action: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (/NotFound/.test(awsErrorName(error) ?? "")) return false;
    throw toAwsError(error, action);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
