import { DescribeStackEventsCommand, type CloudFormationClient, type StackEvent } from "@aws-sdk/client-cloudformation";
import type { Progress } from "../progress.js";
import { isStackMissing, toAwsError } from "./aws-errors.js";

/**
 * Follows a stack's events (DescribeStackEvents, newest first, paged) and reports each new one
 * once, oldest first, as progress. `prime()` marks what happened before (an earlier create, when
 * following a delete) as seen.
 */
export class StackEventFollower {
  private readonly seen = new Set<string>();
  private readonly events: StackEvent[] = [];

  constructor(
    private readonly client: CloudFormationClient,
    /** The stack id (ARN) when known: events of a deleted stack are only found by id. */
    private stack: string,
    private readonly progress: Progress,
    private readonly phase: string,
  ) {}

  /** Follow another id from now on (the ARN CreateStack returned, once it has). */
  follow(stack: string): void {
    this.stack = stack;
  }

  async prime(): Promise<void> {
    for (const event of await this.fetchNew()) this.seen.add(event.EventId!);
  }

  /** Reports the events that appeared since the last poll; returns them, oldest first. */
  async poll(): Promise<StackEvent[]> {
    const fresh = await this.fetchNew();
    for (const event of fresh) {
      this.seen.add(event.EventId!);
      this.events.push(event);
      this.progress({ phase: this.phase, message: describeEvent(event) });
    }
    return fresh;
  }

  /** Every event reported so far, oldest first. */
  all(): readonly StackEvent[] {
    return this.events;
  }

  private async fetchNew(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(new DescribeStackEventsCommand({ StackName: this.stack, NextToken: nextToken }));
        const events = page.StackEvents ?? [];
        // Newest first: stop paging at the first page that reaches events seen before.
        const unseen = events.filter((event) => event.EventId && !this.seen.has(event.EventId));
        fresh.push(...unseen);
        nextToken = unseen.length === events.length ? page.NextToken : undefined;
      } while (nextToken);
    } catch (error) {
      // Gone (deleted and looked up by name): there is nothing more to follow.
      if (isStackMissing(error)) return [];
      throw toAwsError(error, "DescribeStackEvents");
    }
    return fresh.sort(byTime);
  }
}

function byTime(a: StackEvent, b: StackEvent): number {
  return (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0);
}

export function describeEvent(event: StackEvent): string {
  const what = event.ResourceType === "AWS::CloudFormation::Stack" ? "stack" : `${event.LogicalResourceId} (${event.ResourceType})`;
  return `${what}: ${event.ResourceStatus}${event.ResourceStatusReason ? ` — ${event.ResourceStatusReason}` : ""}`;
}

/**
 * Why a stack failed, from its events: each failed resource with CloudFormation's reason, oldest
 * first, without the echoes ("Resource creation cancelled", and the stack's "The following
 * resource(s) failed" when the resources say why themselves).
 */
export function failureReasons(events: readonly StackEvent[]): string[] {
  const reasons: string[] = [];
  const stackReasons: string[] = [];
  for (const event of [...events].sort(byTime)) {
    const status = event.ResourceStatus ?? "";
    const reason = event.ResourceStatusReason;
    if (!reason || /^Resource (creation|update) cancelled$/i.test(reason) || reason === "User Initiated") continue;
    if (event.ResourceType === "AWS::CloudFormation::Stack") {
      // The stack says why it rolls back ("The following resource(s) failed…", a timeout).
      if ((status.endsWith("_FAILED") || status.endsWith("ROLLBACK_IN_PROGRESS")) && !stackReasons.includes(reason)) stackReasons.push(reason);
    } else if (status.endsWith("_FAILED")) {
      const line = `${event.LogicalResourceId} (${event.ResourceType}): ${reason}`;
      if (!reasons.includes(line)) reasons.push(line);
    }
  }
  // The stack's own reasons mostly repeat the resources'; they are the answer when there are none.
  return reasons.length > 0 ? reasons : stackReasons;
}
