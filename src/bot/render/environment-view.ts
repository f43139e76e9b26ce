import type { EnvironmentState } from "../../core/lifecycle.js";
import { cleanLine } from "../../report/clean-text.js";
import { markdownLinkUrl } from "../../report/escape-markdown.js";
import { formatDuration } from "../../core/format-duration.js";
import { estimateCost, formatUsd } from "../cost/estimate-cost.js";
import type { EnvironmentRecord } from "../store/environment-record.js";

const STATE_EMOJI: Record<EnvironmentState, string> = {
  requested: "⏳",
  provisioning: "🏗️",
  configuring: "⚙️",
  migrating: "🗄️",
  running: "🔄",
  passed: "✅",
  failed: "❌",
  destroying: "🧹",
  destroyed: "⚰️",
};

/** What every bot template knows about an environment; all fields present (templates are strict). */
export interface EnvironmentView {
  environment: string;
  repository: string;
  pullNumber: number;
  commit: string;
  state: EnvironmentState;
  stateEmoji: string;
  phase: string | null;
  airflowUrl: string | null;
  pipelineUrl: string | null;
  pipelineNumber: number | null;
  pipelineAction: string | null;
  /** "2025-01-14 13:30 UTC". */
  expiresAt: string;
  /** "3 h 12 min", or null once expired or destroyed. */
  expiresIn: string | null;
  ttl: string;
  cost: { hourly: string; soFar: string; untilExpiry: string; placeholder: boolean };
  requestedBy: string;
  dag: string | null;
  snapshot: string;
  failure: string | null;
  destroyed: boolean;
  live: boolean;
}

export function environmentView(record: EnvironmentRecord, now: number): EnvironmentView {
  const destroyed = record.state === "destroyed";
  const cost = estimateCost({
    hourlyUsd: record.costPerHourUsd,
    liveSince: record.liveSince,
    until: record.endedAt ?? now,
    expiresAt: record.expiresAt,
  });
  return {
    environment: record.id,
    repository: `${record.owner}/${record.repo}`,
    pullNumber: record.pullNumber,
    commit: record.headSha.slice(0, 7),
    state: record.state,
    stateEmoji: STATE_EMOJI[record.state],
    phase: record.phase === null ? null : cleanLine(record.phase) || null,
    airflowUrl: record.airflowUrl === null || destroyed ? null : markdownLinkUrl(record.airflowUrl),
    pipelineUrl: record.pipeline?.url ?? null,
    pipelineNumber: record.pipeline?.number ?? null,
    pipelineAction: record.pipeline?.action ?? null,
    expiresAt: utc(record.expiresAt),
    expiresIn: destroyed || record.expiresAt <= now ? null : formatDuration(record.expiresAt - now),
    ttl: formatDuration(record.ttlMs),
    cost: {
      hourly: formatUsd(cost.hourlyUsd),
      soFar: formatUsd(cost.soFarUsd),
      untilExpiry: formatUsd(cost.untilExpiryUsd),
      placeholder: cost.placeholder,
    },
    requestedBy: record.requestedBy,
    dag: record.dag,
    snapshot: record.snapshot,
    failure: record.failure,
    destroyed,
    live: !destroyed,
  };
}

/** "2025-01-14 13:30 UTC". */
export function utc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
