import type { Tag } from "@aws-sdk/client-cloudformation";
import { InvalidExpiresAtError, InvalidShadowMetadataError } from "./aws-errors.js";

/** The tags on every shadow stack (and, through the template, every resource in it). */
export const SHADOW_TAG = {
  environment: "shadowops:environment",
  repository: "shadowops:repository",
  pullRequest: "shadowops:pull-request",
  commit: "shadowops:commit",
  expiresAt: "shadowops:expires-at",
} as const;

/** Who a shadow belongs to: the pull request and the commit it runs. */
export interface ShadowMetadata {
  /** owner/name */
  repository: string;
  pullRequest: number;
  /** 7–40 lowercase hex */
  commit: string;
}

export interface ShadowTags extends ShadowMetadata {
  environment: string;
  expiresAt: Date;
}

// The template's AllowedPatterns, checked here so a typo fails before anything is created.
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const COMMIT = /^[0-9a-f]{7,40}$/;
/** ISO 8601 with a zone, as the template's ExpiresAt parameter accepts. */
const EXPIRES_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Checks the repository, pull request and commit a stack will carry; says which is wrong. */
export function validateMetadata(input: { repository?: string; pullRequest?: string | number; commit?: string }): ShadowMetadata {
  const missing = [
    input.repository ? undefined : "the repository (--repository or SHADOWOPS_REPOSITORY, owner/name)",
    input.pullRequest === undefined || input.pullRequest === "" ? "the pull request (--pull-request or SHADOWOPS_PULL_REQUEST)" : undefined,
    input.commit ? undefined : "the commit (--commit or SHADOWOPS_COMMIT)",
  ].filter((item): item is string => item !== undefined);
  if (missing.length) {
    throw new InvalidShadowMetadataError(`an AWS shadow is tagged with its pull request; missing ${missing.join(", ")}.`);
  }
  const repository = input.repository!;
  if (!REPOSITORY.test(repository)) {
    throw new InvalidShadowMetadataError(`repository "${repository}" must look like owner/name, for example acme/warehouse.`);
  }
  const pullRequest = Number(input.pullRequest);
  if (!Number.isInteger(pullRequest) || pullRequest <= 0 || pullRequest > 9_999_999_999) {
    throw new InvalidShadowMetadataError(`pull request "${input.pullRequest}" must be a positive whole number, for example 42.`);
  }
  const commit = input.commit!.toLowerCase();
  if (!COMMIT.test(commit)) {
    throw new InvalidShadowMetadataError(`commit "${input.commit}" must be a Git SHA: 7 to 40 hexadecimal characters.`);
  }
  return { repository, pullRequest, commit };
}

/**
 * Reads an expires-at value. Only ISO 8601 with an explicit zone is accepted: a zone-less time
 * would be read in whatever zone the reaper runs in.
 */
export function parseExpiresAt(text: string, where = "shadowops:expires-at"): Date {
  const date = new Date(text);
  if (!EXPIRES_AT.test(text.trim()) || Number.isNaN(date.getTime())) throw new InvalidExpiresAtError(text, where);
  return date;
}

/** The time as the tag and the ExpiresAt parameter carry it: UTC, whole seconds. */
export function formatExpiresAt(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function shadowTags(tags: ShadowTags): Tag[] {
  return [
    { Key: SHADOW_TAG.environment, Value: tags.environment },
    { Key: SHADOW_TAG.repository, Value: tags.repository },
    { Key: SHADOW_TAG.pullRequest, Value: String(tags.pullRequest) },
    { Key: SHADOW_TAG.commit, Value: tags.commit },
    { Key: SHADOW_TAG.expiresAt, Value: formatExpiresAt(tags.expiresAt) },
  ];
}

/** Tags as a plain map; AWS answers with a list of Key/Value pairs. */
export function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? "";
  return map;
}
