import type { TestProject } from 'vitest/node';
import { buildMain } from './built-main.js';
import { pgliteTemplateFile, pgliteTemplateFolder, postgresTemplateDatabase } from './database-templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory dump every in-memory test database starts from. */
    pgliteTemplateFile: string;
    /** A migrated PGlite data folder on disk, copied by tests that need one (`withMigratedPglite`). */
    pgliteTemplateFolder: string;
    /** A migrated PostgreSQL template database every test database is created from. */
    postgresTemplate: string;
    /** `src/main.ts` built for the processes tests spawn (`mainCommand`). */
    builtMain: string;
  }
}

/** Migrates once per run, instead of once per test file and driver; builds the spawned entry point once. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [file, folder, template, built] = await Promise.all([
    pgliteTemplateFile(),
    pgliteTemplateFolder(),
    postgresTemplateDatabase(),
    // A tree whose install predates esbuild here (another worktree rebased on this) still runs: its
    // children go through tsx, as before.
    buildMain().catch((error: unknown) => {
      console.warn(`spawned processes run through tsx: the API was not built (${String(error)})`);
      return { dir: '', remove: async () => {} };
    }),
  ]);
  project.provide('pgliteTemplateFile', file);
  project.provide('pgliteTemplateFolder', folder);
  project.provide('postgresTemplate', template);
  project.provide('builtMain', built.dir);
  return built.remove;
}
