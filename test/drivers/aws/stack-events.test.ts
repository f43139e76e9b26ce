import type { StackEvent } from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import { describeEvent, failureReasons } from "../../../src/drivers/aws/stack-events.js";
import { lifecycleStateOf } from "../../../src/drivers/aws/stack-status.js";

let clock = 0;
const event = (id: string, type: string, status: string, reason?: string): StackEvent => ({
  StackId: "arn",
  StackName: "shadowops-pr-1",
  EventId: `${id}-${clock}`,
  LogicalResourceId: id,
  ResourceType: type,
  ResourceStatus: status as StackEvent["ResourceStatus"],
  ResourceStatusReason: reason,
  Timestamp: new Date(Date.UTC(2026, 10, 28, 0, 0, clock++)),
});

describe("stack events", () => {
  it("keeps each failed resource's reason, oldest first, without CloudFormation's echoes", () => {
    const events = [
      event("shadowops-pr-1", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
      event("HostInstance", "AWS::EC2::Instance", "CREATE_FAILED", "You have requested more vCPU capacity than your current vCPU limit"),
      event("WarehouseCluster", "AWS::Redshift::Cluster", "CREATE_FAILED", "Resource creation cancelled"),
      event("shadowops-pr-1", "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [HostInstance]."),
      event("Vpc", "AWS::EC2::VPC", "DELETE_FAILED", "The vpc has dependencies"),
    ];
    expect(failureReasons([...events].reverse())).toEqual([
      "HostInstance (AWS::EC2::Instance): You have requested more vCPU capacity than your current vCPU limit",
      "Vpc (AWS::EC2::VPC): The vpc has dependencies",
    ]);
  });

  it("falls back on the stack's own reason when the resources give none", () => {
    expect(failureReasons([event("shadowops-pr-1", "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [X].")])).toEqual([
      "The following resource(s) failed to create: [X].",
    ]);
  });

  it("describes an event on one line", () => {
    expect(describeEvent(event("WarehouseCluster", "AWS::Redshift::Cluster", "CREATE_IN_PROGRESS"))).toBe("WarehouseCluster (AWS::Redshift::Cluster): CREATE_IN_PROGRESS");
    expect(describeEvent(event("shadowops-pr-1", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"))).toBe("stack: CREATE_IN_PROGRESS — User Initiated");
  });

  it.each([
    ["CREATE_IN_PROGRESS", "provisioning"],
    ["CREATE_COMPLETE", "passed"],
    ["UPDATE_COMPLETE", "passed"],
    ["UPDATE_ROLLBACK_COMPLETE", "passed"],
    ["UPDATE_ROLLBACK_FAILED", "failed"],
    ["ROLLBACK_COMPLETE", "failed"],
    ["CREATE_FAILED", "failed"],
    ["DELETE_FAILED", "failed"],
    ["DELETE_IN_PROGRESS", "destroying"],
    ["DELETE_COMPLETE", "destroyed"],
  ])("a stack in %s is %s", (status, state) => {
    expect(lifecycleStateOf(status)).toBe(state);
  });
});
