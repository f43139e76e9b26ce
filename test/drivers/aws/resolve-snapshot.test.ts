import type { Snapshot } from "@aws-sdk/client-redshift";
import { describe, expect, it } from "vitest";
import { InvalidSnapshotSelectorError } from "../../../src/drivers/aws/aws-errors.js";
import { chooseLatestSnapshot, parseSnapshotSelector } from "../../../src/drivers/aws/resolve-snapshot.js";

const snapshot = (id: string, status: string, at: string): Snapshot => ({
  SnapshotIdentifier: id,
  Status: status,
  SnapshotCreateTime: new Date(at),
  ClusterIdentifier: "production",
});

describe("snapshot choice", () => {
  it("picks the newest available snapshot; one still being taken does not count", () => {
    // moto makes every snapshot available at once, so skipping a "creating" one is checked here.
    const chosen = chooseLatestSnapshot([
      snapshot("rs:production-2026-11-27", "available", "2026-11-27T03:00:00Z"),
      snapshot("rs:production-2026-11-28", "creating", "2026-11-28T03:00:00Z"),
      snapshot("manual-before-migration", "available", "2026-11-27T18:00:00Z"),
      snapshot("rs:production-2026-11-26", "available", "2026-11-26T03:00:00Z"),
    ]);
    expect(chosen?.SnapshotIdentifier).toBe("manual-before-migration");
  });

  it("finds none among none available", () => {
    expect(chooseLatestSnapshot([])).toBeUndefined();
    expect(chooseLatestSnapshot([snapshot("a", "creating", "2026-11-28T03:00:00Z"), snapshot("b", "failed", "2026-11-28T04:00:00Z")])).toBeUndefined();
  });

  it.each([
    ["latest", { kind: "latest" }],
    ["none", { kind: "none" }],
    ["rs:production-2026-11-28-03-00", { kind: "id", id: "rs:production-2026-11-28-03-00" }],
    ["before-migration-7", { kind: "id", id: "before-migration-7" }],
  ])("reads --snapshot %j", (text, selector) => {
    expect(parseSnapshotSelector(text)).toEqual(selector);
  });

  it.each(["", "7-days-ago", "snap shot", "snap_1"])("refuses --snapshot %j", (text) => {
    expect(() => parseSnapshotSelector(text)).toThrow(InvalidSnapshotSelectorError);
  });
});
