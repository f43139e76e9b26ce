import { DescribeClustersCommand, ModifyClusterCommand, type Cluster, type RedshiftClient } from "@aws-sdk/client-redshift";
import type { Progress } from "../progress.js";
import { WarehousePasswordError } from "./aws-errors.js";
import type { ReadLogin } from "./read-secret.js";
import type { PollTiming } from "./wait-for-stack.js";

export interface SetWarehousePasswordParams {
  redshift: RedshiftClient;
  readLogin: ReadLogin;
  clusterIdentifier: string;
  /** The stack's WarehouseSecretArn: the generated login the host and migrations will use. */
  secretArn: string;
  /** The snapshot the cluster was restored from, for the messages. */
  snapshot: string;
  poll: PollTiming;
  timeoutMs: number;
  progress: Progress;
  signal?: AbortSignal;
}

// A cluster in one of these will not become available by waiting.
const HOPELESS = new Set([
  "deleting",
  "final-snapshot",
  "hardware-failure",
  "incompatible-hsm",
  "incompatible-network",
  "incompatible-parameters",
  "incompatible-restore",
  "paused",
  "storage-full",
]);

/**
 * RestoreFromClusterSnapshot takes no password, so a restored cluster keeps the snapshot's
 * admin password and the generated secret would not log in. This sets the cluster's password
 * to the secret's, then waits until Redshift has applied it. The password goes from Secrets
 * Manager to ModifyCluster and nowhere else: errors name the step, never the value.
 */
export async function setWarehousePassword(params: SetWarehousePasswordParams): Promise<void> {
  const { redshift, clusterIdentifier, progress } = params;
  progress({
    phase: "up",
    message: `warehouse: ${clusterIdentifier} was restored from ${params.snapshot} and still has its admin password; setting the generated one from Secrets Manager`,
  });
  let password: string;
  try {
    password = (await params.readLogin(params.secretArn)).password;
  } catch (error) {
    throw new WarehousePasswordError(clusterIdentifier, `reading the secret ${params.secretArn}`, causeOf(error));
  }
  try {
    await redshift.send(new ModifyClusterCommand({ ClusterIdentifier: clusterIdentifier, MasterUserPassword: password }));
  } catch (error) {
    throw new WarehousePasswordError(clusterIdentifier, "ModifyCluster", causeOf(error, password));
  }
  progress({ phase: "up", message: `warehouse: waiting for ${clusterIdentifier} to apply the password and be available again` });
  await waitUntilApplied(params, password);
  progress({ phase: "up", message: `warehouse: ${clusterIdentifier} is available with the generated admin password` });
}

async function waitUntilApplied(params: SetWarehousePasswordParams, password: string): Promise<void> {
  const { redshift, clusterIdentifier, poll, signal } = params;
  const deadline = Date.now() + params.timeoutMs;
  let interval = poll.intervalMs;
  for (;;) {
    signal?.throwIfAborted();
    let cluster: Cluster | undefined;
    try {
      cluster = (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier }))).Clusters?.[0];
    } catch (error) {
      throw new WarehousePasswordError(clusterIdentifier, "DescribeClusters", causeOf(error, password));
    }
    const status = cluster?.ClusterStatus ?? "gone";
    // Redshift answers ModifyCluster at once and lists the password as pending until it is applied.
    if (status === "available" && !cluster?.PendingModifiedValues?.MasterUserPassword) return;
    if (status === "gone" || HOPELESS.has(status)) {
      throw new WarehousePasswordError(clusterIdentifier, "waiting for the cluster", `it is ${status}`);
    }
    if (Date.now() >= deadline) {
      throw new WarehousePasswordError(
        clusterIdentifier,
        "waiting for the cluster",
        `it was still ${status}${cluster?.PendingModifiedValues?.MasterUserPassword ? " with the password pending" : ""} after ${Math.round(params.timeoutMs / 60_000)} minutes`,
      );
    }
    await poll.sleep(interval, signal);
    interval = Math.min(poll.maxIntervalMs, Math.round(interval * 1.5));
  }
}

/** The error's name and message, with the password blanked out should a service ever echo it. */
function causeOf(error: unknown, password?: string): string {
  const shape = error as { name?: string; message?: string } | undefined;
  const text = [shape?.name, shape?.message].filter(Boolean).join(": ") || String(error);
  return password ? text.split(password).join("****") : text;
}
