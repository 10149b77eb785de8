import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/oracle/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/setup/fixtures.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/results/vitest.json' },
  },
});
