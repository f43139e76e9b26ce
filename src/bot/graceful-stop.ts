import type { Logger } from "probot";
import type { RunningApp } from "./create-app.js";

/**
 * How long a stopping bot waits for the webhooks and callbacks in progress: under Kubernetes'
 * default 30 s between SIGTERM and SIGKILL (systemd waits 90 s). A command takes seconds; one
 * waiting out CircleCI's Retry-After can take minutes, and is handled again after the restart.
 */
export const STOP_GRACE_MS = 25_000;

/** After the last handler, how long its answer may take to leave before the process exits. */
const ANSWERS_LEAVE_MS = 1_000;

export interface StopGracefullyParams {
  /** Probot's server: stop() closes the port and resolves once its connections have ended. */
  server: { stop(): Promise<void> };
  /** The loaded app; undefined while Probot serves its setup page (nothing to wait for). */
  app: RunningApp | undefined;
  graceMs: number;
  log: Pick<Logger, "info" | "warn">;
}

/**
 * What the bot does on SIGTERM (a deploy, a restart) or Ctrl-C: takes no new webhook or
 * callback (unanswered, GitHub and the pipelines send them again), lets those in progress
 * finish, then closes its database. Resolves with the process's exit code: 0 when everything
 * finished, 1 when the grace ran out (what was cut off is released at the next start).
 */
export async function stopGracefully({ server, app, graceMs, log }: StopGracefullyParams): Promise<number> {
  log.info(`stopping: taking no new webhooks or callbacks, waiting up to ${graceMs / 1_000} s for those in progress`);
  const closed = server.stop().catch((error: unknown) => log.warn({ err: error }, "the HTTP server did not close cleanly"));
  const left = app ? await app.drain(graceMs) : 0;
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, ANSWERS_LEAVE_MS).unref())]);
  if (left > 0) {
    log.warn(`stopped with ${left} webhooks or callbacks unfinished: they are handled again when GitHub or the pipeline sends them again`);
    return 1;
  }
  log.info("stopped: every webhook and callback in progress was finished");
  return 0;
}
