#!/usr/bin/env node
// Entry point of the `shadowops` CLI: the compiled code lives in dist/ (npm run build).
import { runCli } from "../dist/cli/main.js";

process.exitCode = await runCli(process.argv);
