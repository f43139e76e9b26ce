import { DescribeClusterSnapshotsCommand, type RedshiftClient, type Snapshot } from "@aws-sdk/client-redshift";
import {
  awsErrorName,
  InvalidSnapshotSelectorError,
  MissingSettingError,
  NoAvailableSnapshotError,
  SnapshotNotAvailableError,
  SnapshotNotFoundError,
  toAwsError,
} from "./aws-errors.js";

/** `--snapshot`: the newest available snapshot of production, none (an empty warehouse), or one by id. */
export type SnapshotSelector = { kind: "latest" } | { kind: "none" } | { kind: "id"; id: string };

/** The template's SnapshotIdentifier pattern. */
const SNAPSHOT_ID = /^[A-Za-z][A-Za-z0-9:-]{0,254}$/;

export function parseSnapshotSelector(text: string): SnapshotSelector {
  const value = text.trim();
  if (value === "latest") return { kind: "latest" };
  if (value === "none") return { kind: "none" };
  if (!SNAPSHOT_ID.test(value)) throw new InvalidSnapshotSelectorError(text);
  return { kind: "id", id: value };
}

/** What a stack needs to restore a snapshot, and what a report says about it. */
export interface ResolvedSnapshot {
  identifier: string;
  clusterIdentifier: string;
  createdAt?: string;
  /** A restored cluster keeps the snapshot's admin user; the template must be told. */
  masterUsername?: string;
  databaseName?: string;
}

/** The newest snapshot that can be restored now; snapshots still being taken are skipped. */
export function chooseLatestSnapshot(snapshots: readonly Snapshot[]): Snapshot | undefined {
  return snapshots
    .filter((snapshot) => snapshot.Status === "available" && snapshot.SnapshotIdentifier)
    .sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0))[0];
}

export interface ResolveSnapshotParams {
  redshift: RedshiftClient;
  selector: SnapshotSelector;
  /** The production cluster; needed for `latest`. */
  productionCluster?: string;
  region: string;
}

/** Finds the snapshot `--snapshot` means, or says clearly why there is none. `none` → undefined. */
export async function resolveSnapshot(params: ResolveSnapshotParams): Promise<ResolvedSnapshot | undefined> {
  const { redshift, selector, region } = params;
  if (selector.kind === "none") return undefined;
  if (selector.kind === "id") {
    let snapshots: Snapshot[];
    try {
      snapshots = (await redshift.send(new DescribeClusterSnapshotsCommand({ SnapshotIdentifier: selector.id }))).Snapshots ?? [];
    } catch (error) {
      if (awsErrorName(error) === "ClusterSnapshotNotFoundFault" || awsErrorName(error) === "ClusterSnapshotNotFound") {
        throw new SnapshotNotFoundError(selector.id, region);
      }
      throw toAwsError(error, "DescribeClusterSnapshots");
    }
    const snapshot = snapshots[0];
    if (!snapshot) throw new SnapshotNotFoundError(selector.id, region);
    if (snapshot.Status !== "available") throw new SnapshotNotAvailableError(selector.id, snapshot.Status ?? "unknown");
    return toResolved(snapshot);
  }

  const cluster = params.productionCluster;
  if (!cluster) {
    throw new MissingSettingError(
      "--snapshot latest needs the production cluster's identifier: set SHADOWOPS_PRODUCTION_CLUSTER (or pass --production-cluster), " +
        "or choose a snapshot with --snapshot ID, or start with an empty warehouse with --snapshot none.",
    );
  }
  const snapshots: Snapshot[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: cluster, Marker: marker, MaxRecords: 100 }));
      // Only this cluster's: the filter is the API's job, but a snapshot of another cluster must
      // never be restored by mistake (moto answers a cluster without snapshots with all of them).
      snapshots.push(...(page.Snapshots ?? []).filter((snapshot) => snapshot.ClusterIdentifier === cluster));
      marker = page.Marker;
    } while (marker);
  } catch (error) {
    if (awsErrorName(error) === "ClusterNotFoundFault" || awsErrorName(error) === "ClusterNotFound") {
      throw new NoAvailableSnapshotError(cluster, region, []);
    }
    throw toAwsError(error, "DescribeClusterSnapshots");
  }
  const latest = chooseLatestSnapshot(snapshots);
  if (!latest) {
    throw new NoAvailableSnapshotError(
      cluster,
      region,
      snapshots.map((snapshot) => `${snapshot.SnapshotIdentifier} (${snapshot.Status})`),
    );
  }
  return toResolved(latest);
}

function toResolved(snapshot: Snapshot): ResolvedSnapshot {
  return {
    identifier: snapshot.SnapshotIdentifier!,
    clusterIdentifier: snapshot.ClusterIdentifier ?? "",
    createdAt: snapshot.SnapshotCreateTime?.toISOString(),
    masterUsername: snapshot.MasterUsername,
    databaseName: snapshot.DBName,
  };
}
