import type { BotServices } from "./bot-services.js";
import { destroyEnvironment } from "./destroy-environment.js";
import { oncePerDelivery } from "./once-per-delivery.js";
import type { WebhookOutcome } from "./webhook-handler.js";

/** installation.deleted or .suspend, installation_repositories.removed, repository.archived. */
export interface LostAccessEvent {
  deliveryId: string;
  installationId: number;
  /** For the log and the destroy's reason. */
  cause: "app uninstalled" | "app suspended" | "repository removed from the app's installation" | "repository archived";
  /** The repositories (`owner/repo`) the app no longer reaches; null: all of the installation's. */
  repositories: string[] | null;
  sender: string;
}

/**
 * The app can no longer act on some repositories (an archived one is read-only, so the same
 * holds). Their shadows would go on costing money until their time to live ran out (up to
 * `ttl.max`), on pull requests the bot can no longer write to,
 * so each is destroyed now: the destroy pipeline needs CircleCI, not GitHub. Each record is
 * marked first, so the destroy's callbacks and the sweeps keep the bot's record and write
 * nothing to GitHub, which would refuse. A destroy CircleCI refuses is tried again by the expiry
 * sweep. GitHub sends the installation events to every app; `repository` is in app.yml.
 */
export async function handleLostAccess(services: BotServices, event: LostAccessEvent): Promise<WebhookOutcome> {
  const wanted = event.repositories?.map((repository) => repository.toLowerCase()) ?? null;
  const ids = services.store
    .notDestroyedEnvironmentsOfInstallation(event.installationId)
    .filter((environment) => wanted === null || wanted.includes(environment.repository))
    .map((environment) => environment.id);
  if (ids.length === 0) return "ignored";
  const handled = await oncePerDelivery(services.store, `github:${event.deliveryId}`, async () => {
    for (const environmentId of ids) {
      await destroyEnvironment({
        services,
        octokit: null,
        environmentId,
        reason: `${event.cause} by ${event.sender}`,
        replyTo: null,
        update: (record) => (record.accessLostAt === undefined ? { ...record, accessLostAt: services.now() } : record),
      });
    }
  });
  return handled ? "handled" : "duplicate";
}
