#!/usr/bin/env node
import { runCli } from '../build/lib/cli/vmsieve-cli.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => controller.abort(new Error(`interrupted by ${sig}`)));

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutStream: process.stdout,
  stdinStream: process.stdin,
  signal: controller.signal,
});
process.exitCode = code;
