import type { GitHubClient } from "./octokit.js";

/** One attempt GitHub made to deliver a webhook to the app (a redelivery is another attempt with the same guid). */
export interface DeliveryAttempt {
  /** The attempt's id, which a redelivery names. */
  id: number;
  /** The delivery's GUID: the X-GitHub-Delivery header the bot saw, shared by every attempt. */
  guid: string;
  /** Epoch milliseconds. */
  deliveredAt: number;
  /** The bot's HTTP answer; GitHub records 0 or an error status when it got none in time. */
  statusCode: number;
  event: string;
  action: string | null;
}

export interface ListedAttempts {
  attempts: DeliveryAttempt[];
  /** False when the page limit stopped the listing before `since`. */
  complete: boolean;
}

/**
 * The app's delivery attempts since `since`, newest first, reading at most `maxPages` pages of
 * 100. Needs the app's own (JWT) client, not an installation's.
 */
export async function listDeliveryAttempts(appOctokit: GitHubClient, since: number, maxPages: number): Promise<ListedAttempts> {
  const attempts: DeliveryAttempt[] = [];
  let pages = 0;
  for await (const page of appOctokit.paginate.iterator(appOctokit.rest.apps.listWebhookDeliveries, { per_page: 100 })) {
    pages += 1;
    for (const delivery of page.data) {
      const deliveredAt = Date.parse(delivery.delivered_at);
      if (deliveredAt < since) return { attempts, complete: true };
      attempts.push({
        id: delivery.id,
        guid: delivery.guid,
        deliveredAt,
        statusCode: delivery.status_code,
        event: delivery.event,
        action: delivery.action,
      });
    }
    if (pages >= maxPages) return { attempts, complete: false };
  }
  return { attempts, complete: true };
}

/** Asks GitHub to deliver an attempt's webhook again (it answers 202 and delivers shortly after). */
export async function redeliver(appOctokit: GitHubClient, attemptId: number): Promise<void> {
  await appOctokit.rest.apps.redeliverWebhookDelivery({ delivery_id: attemptId });
}
