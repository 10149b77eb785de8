// The command line as two files (its entry and its worker): Node then loads 2 modules at start-up instead of ~130,
// which is most of a short command's fixed cost. They sit in build/lib/cli/, the depth the wasm and package.json
// lookups relative to import.meta.url expect; node-compute.ts finds the worker as ./node-compute-worker.js beside it.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: {
    'vmsieve-cli': 'build/lib/cli/main.js',
    'node-compute-worker': 'build/lib/workers/node-compute-worker.js',
  },
  platform: 'node',
  external: [/^node:/],
  output: { dir: 'build/lib/cli', format: 'esm', chunkFileNames: 'vmsieve-cli-[hash].js' },
});
