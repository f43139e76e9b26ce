import { expect } from "vitest";
import { toExitError } from "../../src/cli/to-exit-error.js";

/**
 * What the CLI would print and exit with for the error that `attempt` throws (or its promise
 * rejects with); fails the test when it succeeds.
 */
export async function exitOf(attempt: () => unknown): Promise<{ exitCode: number; message: string }> {
  let error: unknown;
  try {
    await attempt();
  } catch (failure) {
    error = failure;
  }
  if (error === undefined) expect.fail("expected it to fail");
  const { exitCode, message } = toExitError(error);
  return { exitCode, message };
}
