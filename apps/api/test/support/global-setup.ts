import type { TestProject } from 'vitest/node';
import { pgliteTemplateFile, pgliteTemplateFolder, postgresTemplateDatabase } from './database-templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory dump every in-memory test database starts from. */
    pgliteTemplateFile: string;
    /** A migrated PGlite data folder on disk, copied by tests that need one (`withMigratedPglite`). */
    pgliteTemplateFolder: string;
    /** A migrated PostgreSQL template database every test database is created from. */
    postgresTemplate: string;
  }
}

/** Migrates once per run, instead of once per test file and driver. */
export default async function setup(project: TestProject): Promise<void> {
  const [file, folder, template] = await Promise.all([
    pgliteTemplateFile(),
    pgliteTemplateFolder(),
    postgresTemplateDatabase(),
  ]);
  project.provide('pgliteTemplateFile', file);
  project.provide('pgliteTemplateFolder', folder);
  project.provide('postgresTemplate', template);
}
