import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { CheckStatus, DagCheckRecord, EnvironmentRecord, PipelineRecord } from "./environment-record.js";

/** How long handled deliveries and callback ids are remembered: GitHub lets people redeliver for 3 days. */
const DELIVERY_MEMORY_MS = 7 * 24 * 3_600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS environments (
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  pull_number INTEGER NOT NULL,
  state TEXT NOT NULL,
  pipeline_id TEXT,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS environments_repository ON environments (repository, state);
-- No query looks an environment up by its pipeline (the pipelines table does), and every write
-- of an environment paid for this index; databases made before keep it no longer.
DROP INDEX IF EXISTS environments_pipeline;
CREATE TABLE IF NOT EXISTS dag_checks (
  environment_id TEXT NOT NULL,
  head_sha TEXT NOT NULL,
  dag_id TEXT NOT NULL,
  check_run_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (environment_id, head_sha, dag_id)
);
CREATE TABLE IF NOT EXISTS pipelines (
  id TEXT PRIMARY KEY,
  environment_id TEXT NOT NULL,
  data TEXT NOT NULL
);
-- done_at is null while a delivery is being handled: one left so by a stopped bot was cut off.
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX IF NOT EXISTS deliveries_received ON deliveries (received_at);
CREATE TABLE IF NOT EXISTS sweep_marks (
  name TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fork_pushes (
  repository TEXT NOT NULL,
  pull_number INTEGER NOT NULL,
  pushed_at INTEGER NOT NULL,
  head_sha TEXT NOT NULL,
  PRIMARY KEY (repository, pull_number)
);
`;

export interface OpenBotStoreParams {
  /** A file path, or ":memory:" for tests. */
  path: string;
  now?: () => number;
}

/**
 * The bot's memory in SQLite: environments (PR, commit, pipeline, checks, deployment, expiry),
 * DAG checks per commit, and the ids of webhooks and callbacks already handled. Every write is
 * synchronous and durable before the bot answers, so a restart loses nothing.
 */
export function openBotStore({ path, now = Date.now }: OpenBotStoreParams) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(SCHEMA);
  addDeliveryDoneAt(db);

  const statements = {
    get: db.prepare<[string], { data: string }>("SELECT data FROM environments WHERE id = ?"),
    getPipeline: db.prepare<[string], { data: string }>("SELECT data FROM pipelines WHERE id = ?"),
    putPipeline: db.prepare("INSERT OR REPLACE INTO pipelines (id, environment_id, data) VALUES (?, ?, ?)"),
    put: db.prepare(
      `INSERT INTO environments (id, repository, pull_number, state, pipeline_id, data, updated_at)
       VALUES (@id, @repository, @pullNumber, @state, @pipelineId, @data, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET repository = excluded.repository, pull_number = excluded.pull_number,
         state = excluded.state, pipeline_id = excluded.pipeline_id, data = excluded.data, updated_at = excluded.updated_at`,
    ),
    countLive: db.prepare<[string, string], { count: number }>(
      `SELECT count(*) AS count FROM environments
       WHERE repository = ? AND id != ? AND state != 'destroyed' AND (pipeline_id IS NOT NULL OR state = 'requested')`,
    ),
    getDagCheck: db.prepare<[string, string, string], DagCheckRow>(
      "SELECT * FROM dag_checks WHERE environment_id = ? AND head_sha = ? AND dag_id = ?",
    ),
    openDagChecks: db.prepare<[string], DagCheckRow>("SELECT * FROM dag_checks WHERE environment_id = ? AND status != 'completed'"),
    putDagCheck: db.prepare(
      `INSERT INTO dag_checks (environment_id, head_sha, dag_id, check_run_id, status)
       VALUES (@environmentId, @headSha, @dagId, @checkRunId, @status)
       ON CONFLICT (environment_id, head_sha, dag_id) DO UPDATE SET check_run_id = excluded.check_run_id, status = excluded.status`,
    ),
    // A scan, but only for installation events (an app uninstalled or a repository taken out).
    notDestroyedOfInstallation: db.prepare<[number], { id: string; repository: string }>(
      `SELECT id, repository FROM environments
       WHERE state != 'destroyed' AND json_extract(data, '$.installationId') = ? ORDER BY id`,
    ),
    notDestroyedOfRepository: db.prepare<[string], { id: string }>(
      "SELECT id FROM environments WHERE repository = ? AND state != 'destroyed' ORDER BY id",
    ),
    stuckRequests: db.prepare<[number], { id: string }>(
      "SELECT id FROM environments WHERE state = 'requested' AND pipeline_id IS NULL AND updated_at < ? ORDER BY updated_at",
    ),
    // Holding resources (a pipeline was started and no destroy is under way) past the expiry;
    // one written after it expired (a destroy CircleCI refused) only once that write is old.
    expired: db.prepare<{ now: number; quietSince: number }, { id: string }>(
      `SELECT id FROM environments
       WHERE state NOT IN ('destroyed', 'destroying') AND pipeline_id IS NOT NULL
         AND json_extract(data, '$.expiresAt') <= @now
         AND NOT (updated_at > json_extract(data, '$.expiresAt') AND updated_at > @quietSince)
       ORDER BY json_extract(data, '$.expiresAt')`,
    ),
    recordForkPush: db.prepare(
      `INSERT INTO fork_pushes (repository, pull_number, pushed_at, head_sha) VALUES (?, ?, ?, ?)
       ON CONFLICT (repository, pull_number) DO UPDATE SET pushed_at = max(pushed_at, excluded.pushed_at),
         head_sha = CASE WHEN excluded.pushed_at >= pushed_at THEN excluded.head_sha ELSE head_sha END`,
    ),
    lastForkPush: db.prepare<[string, number], { pushed_at: number }>("SELECT pushed_at FROM fork_pushes WHERE repository = ? AND pull_number = ?"),
    claim: db.prepare("INSERT OR IGNORE INTO deliveries (id, received_at, done_at) VALUES (?, ?, ?)"),
    complete: db.prepare("UPDATE deliveries SET done_at = ? WHERE id = ?"),
    releaseUnfinished: db.prepare<[], { id: string }>("DELETE FROM deliveries WHERE done_at IS NULL RETURNING id"),
    release: db.prepare("DELETE FROM deliveries WHERE id = ?"),
    prune: db.prepare("DELETE FROM deliveries WHERE received_at < ?"),
    hasDelivery: db.prepare<[string], { found: number }>("SELECT 1 AS found FROM deliveries WHERE id = ?"),
    getMark: db.prepare<[string], { at: number }>("SELECT at FROM sweep_marks WHERE name = ?"),
    setMark: db.prepare("INSERT OR REPLACE INTO sweep_marks (name, at) VALUES (?, ?)"),
  };
  statements.prune.run(now() - DELIVERY_MEMORY_MS);
  let claimsSincePrune = 0;

  return {
    getEnvironment(id: string): EnvironmentRecord | null {
      const row = statements.get.get(id);
      return row ? (JSON.parse(row.data) as EnvironmentRecord) : null;
    },
    getPipeline(pipelineId: string): PipelineRecord | null {
      const row = statements.getPipeline.get(pipelineId);
      return row ? (JSON.parse(row.data) as PipelineRecord) : null;
    },
    putPipeline(pipeline: PipelineRecord): void {
      statements.putPipeline.run(pipeline.id, pipeline.environmentId, JSON.stringify(pipeline));
    },
    putEnvironment(record: EnvironmentRecord): EnvironmentRecord {
      const saved = { ...record, updatedAt: now() };
      statements.put.run({
        id: saved.id,
        repository: `${saved.owner}/${saved.repo}`.toLowerCase(),
        pullNumber: saved.pullNumber,
        state: saved.state,
        pipelineId: saved.pipeline?.id ?? null,
        data: JSON.stringify(saved),
        updatedAt: saved.updatedAt,
      });
      return saved;
    },
    /**
     * Environments of a repository that hold or are getting resources (a pipeline was started, or
     * one is being started), other than `exceptId`.
     */
    countLiveEnvironments(repository: string, exceptId: string): number {
      return statements.countLive.get(repository.toLowerCase(), exceptId)?.count ?? 0;
    },
    /** A push to a PR from a fork (pull_request.synchronize), at GitHub's time of the push. */
    recordForkPush(repository: string, pullNumber: number, pushedAt: number, headSha: string): void {
      statements.recordForkPush.run(repository.toLowerCase(), pullNumber, pushedAt, headSha);
    },
    /** When the latest push to a fork PR that the bot was told of happened (epoch ms), or null. */
    lastForkPush(repository: string, pullNumber: number): number | null {
      return statements.lastForkPush.get(repository.toLowerCase(), pullNumber)?.pushed_at ?? null;
    },
    /**
     * Environments of an installation not yet destroyed, with their repository (`owner/repo`,
     * lower case): the ones to destroy when the app loses access to them.
     */
    notDestroyedEnvironmentsOfInstallation(installationId: number): { id: string; repository: string }[] {
      return statements.notDestroyedOfInstallation.all(installationId);
    },
    /** Environments of a repository (`owner/repo`, any case) not yet destroyed. */
    notDestroyedEnvironmentsOfRepository(repository: string): string[] {
      return statements.notDestroyedOfRepository.all(repository.toLowerCase()).map((row) => row.id);
    },
    /** Environments recorded as requested, with no pipeline, last written before `updatedBefore`. */
    stuckRequests(updatedBefore: number): string[] {
      return statements.stuckRequests.all(updatedBefore).map((row) => row.id);
    },
    /**
     * Environments past their expiry that still hold resources, oldest expiry first; one written
     * after it expired is left out until `quietSince` (epoch ms) has passed that write.
     */
    expiredEnvironments(now: number, quietSince: number): string[] {
      return statements.expired.all({ now, quietSince }).map((row) => row.id);
    },
    getDagCheck(environmentId: string, headSha: string, dagId: string): DagCheckRecord | null {
      const row = statements.getDagCheck.get(environmentId, headSha, dagId);
      return row ? dagCheckFromRow(row) : null;
    },
    openDagChecks(environmentId: string): DagCheckRecord[] {
      return statements.openDagChecks.all(environmentId).map(dagCheckFromRow);
    },
    putDagCheck(check: DagCheckRecord): void {
      statements.putDagCheck.run(check);
    },
    /**
     * Remember a delivery (a webhook's GUID, a callback's event id): true the first time, false
     * when it was already handled (or is being handled), so the caller does nothing. The claim
     * counts as being handled until completeDelivery; `done` claims what needs no handling (a
     * callback's signature, kept only to refuse a replay).
     */
    claimDelivery(id: string, { done = false }: { done?: boolean } = {}): boolean {
      const at = now();
      const claimed = statements.claim.run(id, at, done ? at : null).changes === 1;
      claimsSincePrune += 1;
      if (claimsSincePrune >= 1_000) {
        claimsSincePrune = 0;
        statements.prune.run(now() - DELIVERY_MEMORY_MS);
      }
      return claimed;
    },
    /** A claimed delivery was handled to the end. */
    completeDelivery(id: string): void {
      statements.complete.run(now(), id);
    },
    /** Forget a claimed delivery whose handling failed, so that a redelivery can try again. */
    releaseDelivery(id: string): void {
      statements.release.run(id);
    },
    /**
     * Forgets the deliveries claimed and never completed: a bot that stopped (killed, crashed,
     * out of time to finish) cut their handling off, and they must not count as handled when
     * GitHub redelivers them or a pipeline retries its callback. Only at startup, before
     * anything is claimed. Returns their ids.
     */
    releaseUnfinishedDeliveries(): string[] {
      return statements.releaseUnfinished.all().map((row) => row.id);
    },
    /** Whether a delivery was handled (or is being handled) by this bot. */
    hasDelivery(id: string): boolean {
      return statements.hasDelivery.get(id) !== undefined;
    },
    /** When a periodic sweep (by name) last completed (epoch ms), or null. */
    sweepMark(name: string): number | null {
      return statements.getMark.get(name)?.at ?? null;
    },
    setSweepMark(name: string, at: number): void {
      statements.setMark.run(name, at);
    },
    close(): void {
      db.close();
    },
  };
}

export type BotStore = ReturnType<typeof openBotStore>;

/**
 * Databases made before deliveries had done_at: their deliveries were all handled (that bot
 * kept no unfinished ones apart), so they count as done.
 */
function addDeliveryDoneAt(db: Database.Database): void {
  const columns = db.pragma("table_info(deliveries)") as { name: string }[];
  if (columns.some((column) => column.name === "done_at")) return;
  db.transaction(() => {
    db.exec("ALTER TABLE deliveries ADD COLUMN done_at INTEGER");
    db.exec("UPDATE deliveries SET done_at = received_at");
  })();
}

interface DagCheckRow {
  environment_id: string;
  head_sha: string;
  dag_id: string;
  check_run_id: number;
  status: CheckStatus;
}

function dagCheckFromRow(row: DagCheckRow): DagCheckRecord {
  return {
    environmentId: row.environment_id,
    headSha: row.head_sha,
    dagId: row.dag_id,
    checkRunId: row.check_run_id,
    status: row.status,
  };
}
