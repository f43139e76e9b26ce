import { createHash } from "node:crypto";
import { assertEnvironmentName } from "../../src/core/environment-name.js";
import { REPO_ROOT } from "./run-cli.js";

/**
 * Six hex digits of this checkout's path. The local driver's databases live on the machine's one
 * PostgreSQL server, so without it two checkouts running the suite at once (a worktree and a
 * clean clone, say) would share `shadow_warm`, and each would drop the other's databases as
 * leftovers. Stable for a checkout, so the next run there still finds what a killed run left.
 */
const CHECKOUT_TAG = createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 6);

/** The name of an environment a test brings up with the local driver: `base` and this checkout's tag. */
export function environmentNameInThisCheckout(base: string): string {
  return assertEnvironmentName(`${base}-${CHECKOUT_TAG}`);
}
