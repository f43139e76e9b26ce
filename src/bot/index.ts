import type { ApplicationFunction } from "probot";
import { createShadowOpsApp, type CreateAppParams } from "./create-app.js";
import { readBotSettings } from "./settings.js";

/** The ShadowOps app with its settings from the environment; `onReady` as in createShadowOpsApp. */
export function shadowOpsFromEnvironment(onReady?: CreateAppParams["onReady"]): ApplicationFunction {
  return (app, options) => createShadowOpsApp({ settings: readBotSettings(process.env), onReady })(app, options);
}

/** The Probot app for `probot run ./dist/bot/index.js`. `npm start` runs start.ts, which also stops it gracefully. */
const shadowOps: ApplicationFunction = shadowOpsFromEnvironment();

export default shadowOps;
export { signCallback } from "./callbacks/sign-callback.js";
export { PIPELINE_PARAMETER_NAMES } from "./circleci/pipeline-parameters.js";
