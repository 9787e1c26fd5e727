#!/usr/bin/env node
// The `deepreg-loader` command: a thin entry around `main` (src/cli/main.ts), which tests call in-process.
import { main } from "./cli/main.js";

process.exitCode = await main(process.argv.slice(2));
