import type { ApplicationFunction } from "probot";
import { createShadowOpsApp } from "./create-app.js";
import { readBotSettings } from "./settings.js";

/** The Probot app `npm start` runs (`probot run ./dist/bot/index.js`); settings come from the environment. */
const shadowOps: ApplicationFunction = (app, options) => createShadowOpsApp({ settings: readBotSettings(process.env) })(app, options);

export default shadowOps;
export { signCallback } from "./callbacks/sign-callback.js";
export { PIPELINE_PARAMETER_NAMES } from "./circleci/pipeline-parameters.js";
