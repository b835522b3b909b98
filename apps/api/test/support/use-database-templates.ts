import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { startMemoryDatabasesFrom } from '../../src/db/database.js';

// Each test file's in-memory PGlite databases start from the run's migrated template.
startMemoryDatabasesFrom(new Blob([readFileSync(inject('pgliteTemplateFile'))]));
