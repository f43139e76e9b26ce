/**
 * The life of a shadow environment. A state names what the environment is doing now;
 * `passed` and `failed` are resting states of a live environment (kept with --keep or
 * until its TTL), from which a re-test goes back to `configuring`.
 */
export const ENVIRONMENT_STATES = [
  "requested",
  "provisioning",
  "configuring",
  "migrating",
  "running",
  "passed",
  "failed",
  "destroying",
  "destroyed",
] as const;

export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];

const NEXT: Record<EnvironmentState, readonly EnvironmentState[]> = {
  requested: ["provisioning", "failed", "destroying"],
  provisioning: ["configuring", "failed", "destroying"],
  configuring: ["migrating", "failed", "destroying"],
  migrating: ["running", "failed", "destroying"],
  running: ["passed", "failed", "destroying"],
  passed: ["configuring", "destroying"],
  failed: ["configuring", "destroying"],
  // A destroy that failed part-way is retried from where it stopped.
  destroying: ["destroying", "destroyed"],
  destroyed: [],
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: EnvironmentState,
    readonly to: EnvironmentState,
  ) {
    super(`an environment cannot go from ${from} to ${to} (allowed: ${NEXT[from].join(", ") || "none"})`);
    this.name = "IllegalTransitionError";
  }
}

export function canTransition(from: EnvironmentState, to: EnvironmentState): boolean {
  return NEXT[from].includes(to);
}

export function transition(from: EnvironmentState, to: EnvironmentState): EnvironmentState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}

/** States in which the environment holds resources that cost something or use ports. */
export function isLive(state: EnvironmentState): boolean {
  return state !== "destroyed" && state !== "requested";
}
