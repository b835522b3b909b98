import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/support/slowest-first.js';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module): Vite would pick the ESM build for our
  // sources while Node loads the CJS one for yoga and Pothos — two realms, and graphql-js
  // refuses types from "another module or realm". Everyone gets the one Node loads.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Migrated database templates, made once per run: each file's databases are copies of them.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/use-database-templates.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The slowest files first (recorded seconds; a fresh clone has no Vitest cache to order by).
    sequence: { sequencer: SlowestFirst },
    // Files share a worker's modules instead of importing the whole API afresh each (~5.5 s of
    // CPU a file): six files took 80.5 s isolated, 35.6 s shared, alternating runs. Each file
    // builds its own app, databases and registries, so no state is meant to cross files.
    isolate: false,
    // Three files at a time on two cores: many wait (an outage held for 30 s, a browser, a campaign
    // paced by the clock) rather than compute.
    maxWorkers: 3,
  },
});
