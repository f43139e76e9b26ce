import type { EnvironmentState } from "../../core/lifecycle.js";

/** Statuses in which CloudFormation is still working on the stack. */
export function isInProgress(status: string): boolean {
  return status.endsWith("_IN_PROGRESS");
}

/** A stack that serves an environment: created, or updated (by `extend`) either way. */
export const READY_STATUSES = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]);

/** Failed creations that CloudFormation leaves in place (OnFailure other than DELETE). */
export const FAILED_CREATE_STATUSES = new Set(["CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"]);

/**
 * Where an environment is in its lifecycle, seen from its stack. AWS keeps no record of the
 * last test's outcome, so a ready stack is at rest: the lifecycle's resting state of a live
 * environment is `passed`/`failed`, from which a re-test goes back to configuring. A ready stack
 * is reported as `passed` (the CLI's `status` also shows the stack status); within one CLI run
 * the driver tracks the real state itself.
 */
export function lifecycleStateOf(status: string): EnvironmentState {
  if (status === "CREATE_IN_PROGRESS" || status === "REVIEW_IN_PROGRESS") return "provisioning";
  if (status === "DELETE_IN_PROGRESS") return "destroying";
  if (status === "DELETE_COMPLETE") return "destroyed";
  if (READY_STATUSES.has(status) || status.startsWith("UPDATE_") || status.startsWith("IMPORT_")) {
    return status.endsWith("_FAILED") ? "failed" : "passed";
  }
  return "failed";
}
