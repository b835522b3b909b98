import { connect, createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rows } from '../src/db/database.js';
import { createHealth } from '../src/ops/health.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * A TCP relay in front of PostgreSQL that can play a server restart as a client on another host
 * sees it: the connections it had stay open and silent (no FIN reached us), and the first bytes
 * written on one are answered with a reset (the restarted host knows no such connection). New
 * connections reach the (still running) server as usual.
 */
async function restartableRelay(target: URL) {
  const pairs = new Set<{ client: Socket; server: Socket; dead: boolean }>();
  const relay: Server = createServer((client) => {
    const server = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, server, dead: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.dead) return void server.write(d);
      client.resetAndDestroy();
      server.destroy();
    });
    server.on('data', (d) => {
      if (!pair.dead) client.write(d);
    });
    for (const s of [client, server]) s.on('error', () => {});
    client.on('close', () => {
      server.destroy();
      pairs.delete(pair);
    });
    server.on('close', () => {
      if (!pair.dead) client.destroy();
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as { port: number }).port);
  return {
    url: url.toString(),
    /** New connections are refused from here on (the server is down). */
    refuse() {
      relay.close();
    },
    /** Every connection open now is dead from here on; how many there were. */
    restart() {
      for (const p of pairs) p.dead = true;
      return pairs.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.client.destroy();
          p.server.destroy();
        }
        if (relay.listening) relay.close(() => resolve());
        else resolve();
      }),
  };
}

describe('readiness after a PostgreSQL restart the pool did not see (PostgreSQL through a relay)', () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof restartableRelay>>;
  let opened: Database;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    relay = await restartableRelay(new URL(database.url!));
    opened = await openDatabase({ url: relay.url, poolSize: 6 });
  }, 60_000);
  afterAll(async () => {
    await opened?.close();
    await relay?.close();
    await database?.drop();
  });

  it('does not report the database down for pooled connections the restart killed: it drops them and asks on a live one', async () => {
    const health = createHealth({
      db: opened.db,
      logger: silentLogger,
      staleMs: 60_000,
      queueLagWarnSeconds: 300,
      timeoutMs: 2_000,
      stopping: () => false,
    });
    // Every connection of the pool open and idle.
    await Promise.all(Array.from({ length: 6 }, () => rows(opened.db, sql`SELECT pg_sleep(0.05)`)));
    expect(relay.restart()).toBe(6);
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { checks } = await health.ready();
      seen.push(`${checks.database!.status}${checks.database!.reason ? `:${checks.database!.reason}` : ''}`);
    }
    expect(seen).toEqual(Array(8).fill('ok'));
    // The pool works again for everyone else too.
    expect(await rows(opened.db, sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);

    // A database that is really gone still fails the check, at once: its dead connections are
    // skipped, the new one is refused.
    await Promise.all(Array.from({ length: 6 }, () => rows(opened.db, sql`SELECT pg_sleep(0.05)`)));
    relay.restart();
    relay.refuse();
    const started = performance.now();
    const { ready, checks } = await health.ready();
    expect(ready).toBe(false);
    expect(checks.database).toMatchObject({ status: 'fail', reason: 'ECONNREFUSED' });
    expect(performance.now() - started).toBeLessThan(2_000);
    await health.close();
  }, 60_000);
});
