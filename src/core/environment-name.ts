/**
 * Environment names double as resource names: PostgreSQL databases (63 bytes), Redshift
 * cluster identifiers (63, lowercase, starting with a letter) and CloudFormation stacks.
 * Keeping them short and plain lets one name serve everywhere, so it can be the lock.
 */
const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export class InvalidEnvironmentNameError extends Error {
  constructor(readonly input: string) {
    super(
      `"${input}" is not a valid environment name: use 1–40 lowercase letters, digits and ` +
        `hyphens, starting with a letter (for example "pr-42" or "local").`,
    );
    this.name = "InvalidEnvironmentNameError";
  }
}

export function assertEnvironmentName(name: string): string {
  if (!ENVIRONMENT_NAME.test(name) || name.endsWith("-") || name.includes("--")) {
    throw new InvalidEnvironmentNameError(name);
  }
  return name;
}

/**
 * The one environment of a pull request: deterministic, so a second `/shadow test` finds the
 * first one instead of starting a twin. The repository part is shortened and given a hash
 * suffix when needed, so two long repository names cannot collide.
 */
export function environmentNameForPullRequest(repository: string, pullRequest: number): string {
  if (!Number.isInteger(pullRequest) || pullRequest <= 0) {
    throw new Error(`pull request number must be a positive integer, got ${pullRequest}`);
  }
  const suffix = `-pr-${pullRequest}`;
  const slug = repository
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  const room = 40 - suffix.length;
  const base = slug.length <= room ? slug : `${slug.slice(0, room - 7).replace(/-+$/, "")}-${fnv1a(repository)}`;
  return assertEnvironmentName(`${base || "repo"}${suffix}`);
}

/** A short stable hash (6 hex digits) that needs no crypto and is the same on every run. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0").slice(0, 6);
}

/** Database of an environment on the local driver: a valid unquoted SQL identifier. */
export function databaseNameFor(environment: string): string {
  return `shadow_${assertEnvironmentName(environment).replace(/-/g, "_")}`;
}
