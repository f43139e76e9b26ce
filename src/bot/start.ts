import { run } from "probot";
import { ShadowOpsOctokit } from "./github/shadowops-octokit.js";
import shadowOps from "./index.js";

/**
 * `npm start`: what `probot run ./dist/bot/index.js` does, with ShadowOps' Octokit (see
 * shadowops-octokit.ts). Settings come from the environment (and .env); without APP_ID and
 * PRIVATE_KEY, Probot serves its setup page, which registers the app from app.yml.
 */
await run(shadowOps, { Octokit: ShadowOpsOctokit });
