import { DescribeStacksCommand, type CloudFormationClient, type Stack } from "@aws-sdk/client-cloudformation";
import { AwsFailureError, isStackMissing, toAwsError } from "./aws-errors.js";
import type { StackEventFollower } from "./stack-events.js";
import { isInProgress } from "./stack-status.js";

export interface PollTiming {
  /** First wait between polls; grows ×1.5 up to maxIntervalMs. */
  intervalMs: number;
  maxIntervalMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_POLL: PollTiming = { intervalMs: 2_000, maxIntervalMs: 15_000, sleep: abortableSleep };

/** The stack as CloudFormation describes it now, or undefined when there is none by that name. */
export async function describeStack(client: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    return stack && stack.StackStatus !== "DELETE_COMPLETE" ? stack : undefined;
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw toAwsError(error, "DescribeStacks");
  }
}

export interface WaitForStackParams {
  client: CloudFormationClient;
  /**
   * Looked up by name: a deleted stack then reads as gone. (By id CloudFormation keeps
   * answering DELETE_COMPLETE; moto answers a deleted stack's id with a server error.)
   */
  stackName: string;
  events: StackEventFollower;
  poll: PollTiming;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called when the timeout passes, with the status then; returns the error to throw. */
  onTimeout: (status: string) => Error;
}

/**
 * Polls until CloudFormation is done with the stack (no status ends in _IN_PROGRESS), reporting
 * its events as they come. Returns the stack, or undefined once it is gone.
 */
export async function waitForStack(params: WaitForStackParams): Promise<Stack | undefined> {
  const { client, stackName, events, poll, signal } = params;
  const deadline = Date.now() + params.timeoutMs;
  let interval = poll.intervalMs;
  for (;;) {
    signal?.throwIfAborted();
    await pollEvents(events);
    const stack = await describeStack(client, stackName);
    if (!stack || !isInProgress(stack.StackStatus ?? "")) {
      await pollEvents(events);
      return stack;
    }
    if (Date.now() >= deadline) throw params.onTimeout(stack.StackStatus ?? "unknown");
    await poll.sleep(interval, signal);
    interval = Math.min(poll.maxIntervalMs, Math.round(interval * 1.5));
  }
}

/** Events are progress: a hiccup reading them must not fail the wait; credentials and throttling still do. */
async function pollEvents(events: StackEventFollower): Promise<void> {
  try {
    await events.poll();
  } catch (error) {
    if (error instanceof AwsFailureError) throw error;
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
