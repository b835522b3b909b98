// Creates a PGlite cluster in the folder given as the first argument, then exits: run by
// `openDatabase` in a process of its own (plain JavaScript, so it needs no TypeScript loader).
import { PGlite } from '@electric-sql/pglite';

const client = await PGlite.create(process.argv[2], { postgresqlconf: process.argv.slice(3) });
await client.close();
