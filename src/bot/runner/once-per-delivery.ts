import type { BotStore } from "../store/bot-store.js";

/**
 * Runs `task` unless the delivery (a webhook GUID, a callback's event id) was handled before:
 * a redelivered webhook changes nothing. When the task fails the claim is dropped, so a
 * redelivery can try again; one the bot stopped in the middle of is dropped at its next start.
 * Returns false when it was a duplicate.
 */
export async function oncePerDelivery(store: BotStore, deliveryId: string, task: () => Promise<void>): Promise<boolean> {
  if (!store.claimDelivery(deliveryId)) return false;
  try {
    await task();
    store.completeDelivery(deliveryId);
    return true;
  } catch (error) {
    store.releaseDelivery(deliveryId);
    throw error;
  }
}
