/**
 * Polls `GET /api/v2/monitor/health` until the required components are healthy, failing early
 * when a watched process died, and late (AirflowNotHealthyError) when the timeout runs out.
 *
 * While the api-server starts, connections are refused: that is expected and only remembered
 * for the timeout message.
 */
import type { AirflowClient } from "./airflow-client.js";
import { AirflowError, AirflowNotHealthyError, AirflowProcessExitedError } from "./airflow-errors.js";
import type { HealthComponent, HealthInfo } from "./airflow-types.js";
import { Backoff, systemClock, type BackoffOptions, type Clock } from "./poll-backoff.js";

/** `true` = alive; `false` or `{ alive: false, reason }` = the process died. */
export type Liveness = boolean | { alive: boolean; reason?: string };

export interface WaitForHealthyOptions {
  client: Pick<AirflowClient, "baseUrl" | "health"> & Partial<Pick<AirflowClient, "warmUpExecutionApi">>;
  timeoutMs: number;
  /** Components that must be healthy (default: metadatabase, scheduler, dag_processor). */
  components?: readonly HealthComponent[];
  /** Checked before each poll; lets a caller that started the processes fail fast when one exits. */
  isAlive?: () => Liveness | Promise<Liveness>;
  /**
   * As soon as the api-server answers, call `GET /execution/health` (in the background) so it
   * builds its execution API before the first task needs it; the wait ends only when that call
   * has returned too (default true; see AirflowClient.warmUpExecutionApi).
   */
  warmUpExecutionApi?: boolean;
  /** Called after each poll with the health answer, or the error when there was none. */
  onPoll?: (health: HealthInfo | null, error: Error | null) => void;
  /** Default: 250 ms first, ×1.5, at most 2 s. */
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  clock?: Clock;
}

const DEFAULT_COMPONENTS: readonly HealthComponent[] = ["metadatabase", "scheduler", "dag_processor"];
const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 250, maxDelayMs: 2_000, factor: 1.5 };

export async function waitForHealthy(options: WaitForHealthyOptions): Promise<HealthInfo> {
  const { client, timeoutMs, signal } = options;
  const clock = options.clock ?? systemClock;
  const components = options.components ?? DEFAULT_COMPONENTS;
  const backoff = new Backoff(options.backoff, DEFAULT_BACKOFF);
  const deadline = clock.now() + timeoutMs;
  let lastHealth: HealthInfo | null = null;
  let lastError: Error | null = null;
  let warmUp: Promise<boolean> | undefined;

  for (;;) {
    signal?.throwIfAborted();
    if (options.isAlive) {
      const liveness = await options.isAlive();
      const alive = typeof liveness === "boolean" ? liveness : liveness.alive;
      if (!alive) {
        const reason = typeof liveness === "object" && liveness.reason ? liveness.reason : "a watched process is no longer running";
        throw new AirflowProcessExitedError(reason);
      }
    }

    try {
      const health = await client.health();
      lastHealth = health;
      lastError = null;
      options.onPoll?.(health, null);
      // The api-server answers: build its execution API now, while the scheduler and dag
      // processor are still starting, instead of adding its ~9 s at the end.
      if (options.warmUpExecutionApi !== false) warmUp ??= client.warmUpExecutionApi?.();
      if (unhealthy(health, components).length === 0) {
        await warmUp;
        return health;
      }
    } catch (err) {
      // Not up yet (connection refused), or answering errors while it starts.
      if (!(err instanceof AirflowError)) throw err;
      lastError = err;
      options.onPoll?.(null, err);
    }

    const now = clock.now();
    if (now >= deadline) {
      throw new AirflowNotHealthyError(
        client.baseUrl,
        timeoutMs,
        lastHealth,
        lastHealth ? unhealthy(lastHealth, components) : [...components],
        lastError,
      );
    }
    await clock.sleep(Math.min(backoff.next(), deadline - now), signal);
  }
}

/** Required components that are not healthy, as `name (status)`. */
export function unhealthy(health: HealthInfo, components: readonly HealthComponent[]): string[] {
  const result: string[] = [];
  for (const name of components) {
    const status = health[name]?.status ?? null;
    if (status !== "healthy") result.push(`${name} (${status ?? "never started"})`);
  }
  return result;
}
