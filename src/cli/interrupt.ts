import { InterruptedError } from "./cli-errors.js";

/**
 * Turns SIGINT/SIGTERM into an AbortSignal so the running step stops and teardown runs.
 * A second Ctrl-C during teardown is ignored on purpose: leaving a database or Airflow
 * behind is worse than waiting a few seconds.
 */
export function abortOnSignals(): { signal: AbortSignal; received: () => string | undefined; dispose: () => void } {
  const controller = new AbortController();
  let received: string | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`${name} again: still tearing down, please wait\n`);
      return;
    }
    received = name;
    process.stderr.write(`\n${name} received: stopping and tearing down…\n`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/**
 * Runs `work` with an abort signal wired to SIGINT/SIGTERM; whatever it throws after a
 * signal becomes an InterruptedError (exit 130), since the cause was the user's Ctrl-C.
 * `aftermath` says what was left, for commands that do not tear down (migrate, run-dag).
 */
export async function runInterruptible<T>(work: (signal: AbortSignal) => Promise<T>, aftermath?: string): Promise<T> {
  const interrupt = abortOnSignals();
  try {
    return await work(interrupt.signal);
  } catch (error) {
    const signal = interrupt.received();
    if (signal) throw new InterruptedError(signal, aftermath);
    throw error;
  } finally {
    interrupt.dispose();
  }
}

/** The aftermath of a step that works on an existing environment (migrate, run-dag): nothing is torn down. */
export function environmentLeftAsItWas(environment: string): string {
  return `environment ${environment} is left as it was: destroy it with \`shadowops down --env ${environment}\``;
}
