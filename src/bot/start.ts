import { run } from "probot";
import type { RunningApp } from "./create-app.js";
import { ShadowOpsOctokit } from "./github/shadowops-octokit.js";
import { stopGracefully, STOP_GRACE_MS } from "./graceful-stop.js";
import { shadowOpsFromEnvironment } from "./index.js";
import type { BotServices } from "./runner/bot-services.js";

/**
 * `npm start`: what `probot run ./dist/bot/index.js` does, with ShadowOps' Octokit (see
 * shadowops-octokit.ts), stopped gracefully on SIGTERM and SIGINT (graceful-stop.ts). Settings
 * come from the environment (and .env); without APP_ID and PRIVATE_KEY, Probot serves its setup
 * page, which registers the app from app.yml.
 */
let loaded: { services: BotServices; running: RunningApp } | undefined;
const server = await run(
  shadowOpsFromEnvironment((services, running) => (loaded = { services, running })),
  { Octokit: ShadowOpsOctokit },
);

// Probot's own SIGINT handler exits as soon as the port is closed, cutting off the handlers
// still running; this one waits for them.
process.removeAllListeners("SIGINT");
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    // A second signal: stop now; what is cut off is released at the next start.
    if (stopping) process.exit(1);
    stopping = true;
    const log = loaded?.services.log ?? { info: console.info, warn: console.warn };
    void stopGracefully({ server, app: loaded?.running, graceMs: STOP_GRACE_MS, log }).then((code) => process.exit(code));
  });
}
