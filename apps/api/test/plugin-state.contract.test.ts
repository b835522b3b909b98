import type { PluginState } from '@qunfa/core';
import { describePluginStateContract } from '@qunfa/core/testing';
import { afterAll } from 'vitest';
import { createRedisPluginState } from '../src/adapters/redis-plugin-state.js';
import { createSqlPluginState } from '../src/adapters/sql-plugin-state.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** PostgreSQL: every handle is a pool of its own on one database, as separate processes would have. */
describePluginStateContract('SQL on PostgreSQL', async () => {
  const database: TestDatabase = await createTestDatabase('postgres');
  cleanups.push(() => database.drop());
  const opened: Database[] = [];
  // Opening runs the migrations: one at a time.
  let opening: Promise<unknown> = Promise.resolve();
  return {
    async open() {
      const next = opening.then(() => openDatabase({ url: database.url!, poolSize: 2 }));
      opening = next.catch(() => {});
      const db = await next;
      opened.push(db);
      return createSqlPluginState(db.db);
    },
    async close() {
      await Promise.all(opened.splice(0).map((d) => d.close()));
    },
  };
});

/** PGlite runs in one process: its handles are one database. */
describePluginStateContract('SQL on PGlite', async () => {
  const db = await openDatabase({ dataDir: 'memory://' });
  const state = createSqlPluginState(db.db);
  return { open: async () => state, close: () => db.close() };
});

describePluginStateContract('Redis', async () => {
  const settings = { url: testRedisUrl, prefix: testRedisPrefix('state') };
  cleanups.push(() => dropRedisPrefix(settings.prefix));
  const opened: (PluginState & { close(): Promise<void> })[] = [];
  return {
    async open() {
      const state = createRedisPluginState(settings);
      opened.push(state);
      return state;
    },
    async close() {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    },
  };
});
