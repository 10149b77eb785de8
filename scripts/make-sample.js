#!/usr/bin/env node
// The app's first screen opens a sample dump: a small synthetic vmcore made by the project's own
// generator (fixtures/gen), written once into web/public so Vite bundles it.
import { existsSync } from 'node:fs';
import { runCli } from '../build/gen/cli.js';

const out = new URL('../web/public/sample.vmcore', import.meta.url).pathname;
if (!existsSync(out)) process.exitCode = await runCli(['--out', out, '--mem', '48', '--seed', '3', '--cpus', '2'], () => undefined);
