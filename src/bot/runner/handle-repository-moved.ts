import type { BotServices } from "./bot-services.js";
import { destroyEnvironment } from "./destroy-environment.js";
import { oncePerDelivery } from "./once-per-delivery.js";
import type { GitHubClient } from "../github/octokit.js";
import type { EnvironmentRecord } from "../store/environment-record.js";
import type { WebhookOutcome } from "./webhook-handler.js";

/** repository.renamed or repository.transferred. */
export interface RepositoryMovedEvent {
  deliveryId: string;
  /** The installation that reaches the repository now (for a transfer, the new owner's). */
  installationId: number;
  cause: "repository renamed" | "repository transferred";
  /** The repository's name before: `owner/repo`. */
  from: { owner: string; repo: string };
  /** And now. */
  to: { owner: string; repo: string };
  sender: string;
}

/**
 * A repository got a new name or owner. A shadow's id comes from `owner/repo` (it is the PR's
 * lock, and it names the shadow's stack and database), so webhooks under the new name no longer
 * find the shadows started under the old one: closing a PR would leave its shadow running until
 * its time to live ran out, and `/shadow test` would start a second one beside it. So they are
 * destroyed now, and a new test starts under the new name. Each record is moved to the new name
 * first, keeping its id (the pipelines and their callbacks use it), so the sticky comment and the
 * checks are written where GitHub has the PR now, through the installation that reaches it now,
 * and the destroy runs in the new name's CircleCI project when the old one was only the default
 * (`gh/OWNER/REPO`).
 */
export async function handleRepositoryMoved({
  services,
  octokit,
  event,
}: {
  services: BotServices;
  octokit: GitHubClient;
  event: RepositoryMovedEvent;
}): Promise<WebhookOutcome> {
  const ids = services.store.notDestroyedEnvironmentsOfRepository(`${event.from.owner}/${event.from.repo}`);
  if (ids.length === 0) return "ignored";
  const handled = await oncePerDelivery(services.store, `github:${event.deliveryId}`, async () => {
    for (const environmentId of ids) {
      const reason = `${event.cause} by ${event.sender}`;
      await destroyEnvironment({ services, octokit, environmentId, reason, replyTo: null, update: (record) => movedRecord(record, event) });
    }
  });
  return handled ? "handled" : "duplicate";
}

function movedRecord(record: EnvironmentRecord, event: RepositoryMovedEvent): EnvironmentRecord {
  const defaultSlug = `gh/${event.from.owner}/${event.from.repo}`;
  const slug = record.project.slug.toLowerCase() === defaultSlug.toLowerCase() ? `gh/${event.to.owner}/${event.to.repo}` : record.project.slug;
  return { ...record, installationId: event.installationId, owner: event.to.owner, repo: event.to.repo, project: { ...record.project, slug } };
}
