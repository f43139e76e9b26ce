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
