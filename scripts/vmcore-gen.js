#!/usr/bin/env node
// The synthetic vmcore generator's command line (built from fixtures/gen by `npm run build:gen`).
import { runCli } from '../build/gen/cli.js';

process.exitCode = await runCli(process.argv.slice(2));
