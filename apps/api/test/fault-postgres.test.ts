import { settledCount } from '@qunfa/core';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { type Cluster, startCluster, waitFor } from './support/cluster.js';
import { expectExactlyOnce } from './support/exactly-once.js';
import {
  type PrivatePostgres,
  privatePostgresUnavailable,
  startPrivatePostgres,
} from './support/private-services.js';

const RECIPIENTS = 6_000;
const unavailable = await privatePostgresUnavailable();

/** A cluster (this process's API, 2 worker processes, shared Redis) on a PostgreSQL server of the test's own. */
async function clusterOnPrivatePostgres(): Promise<{ pg: PrivatePostgres; c: Cluster }> {
  const pg = await startPrivatePostgres();
  const databaseUrl = await pg.createDatabase('qunfa_fault');
  const c = await startCluster({ providerLatencyMs: 60, leaseMs: 3000, databaseUrl });
  await insertPhoneContacts(c.t.app.deps.db, c.t.a.id, RECIPIENTS);
  return { pg, c };
}

/** `check`, with a database that is away for a moment counting as "not yet". */
const tolerant = (check: () => Promise<boolean>) => () => check().catch(() => false);

describe.skipIf(unavailable !== undefined)(
  `PostgreSQL going away mid-campaign (a private server on its own port)${unavailable ? `: skipped, ${unavailable}` : ''}`,
  () => {
    let pg: PrivatePostgres | undefined;
    let c: Cluster | undefined;
    afterEach(async () => {
      await c?.stop();
      await pg?.close();
      c = undefined;
      pg = undefined;
    });

    it('restarted (an immediate shutdown, then crash recovery): in-flight batches come back by their leases, counters exact', async () => {
      ({ pg, c } = await clusterOnPrivatePostgres());
      const cluster = c;
      const workers = [cluster.spawnWorker(), cluster.spawnWorker()];
      const logs = () => workers.map((w) => w.output().slice(-3000)).join('\n---\n');
      const { store } = cluster.t.app.deps;
      const id = await cluster.startCampaign('pg restart');

      await waitFor(
        async () => settledCount(await store.counters(id)) >= 1_500,
        '1500 settled',
        90_000,
        logs,
      );
      await pg.restart('immediate');
      await waitFor(
        tolerant(async () => (await store.getCampaign(id))?.state === 'completed'),
        'completion after the restart',
        120_000,
        logs,
      );
      expect(workers.map((w) => (w.child.exitCode === null ? 'running' : w.output().slice(-3000)))).toEqual([
        'running',
        'running',
      ]);
      await expectExactlyOnce(cluster, id, RECIPIENTS);
    }, 300_000);

    it('a settlement whose connection is killed (pg_terminate_backend), five times: reconciled by the lease, counters exact', async () => {
      ({ pg, c } = await clusterOnPrivatePostgres());
      const cluster = c;
      const workers = [cluster.spawnWorker(), cluster.spawnWorker()];
      const logs = () => workers.map((w) => w.output().slice(-3000)).join('\n---\n');
      const { store } = cluster.t.app.deps;
      const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
      try {
        const id = await cluster.startCampaign('pg terminate');
        await waitFor(async () => settledCount(await store.counters(id)) >= 500, '500 settled', 90_000, logs);
        // A backend in the middle of a settlement: in a transaction, on its statements that lock
        // the leased batch or write the batch's deliveries.
        const killed: string[] = [];
        const deadline = Date.now() + 90_000;
        while (killed.length < 5 && Date.now() < deadline) {
          const found = await admin<{ pid: number; query: string }[]>`
            SELECT pid, query FROM pg_stat_activity
            WHERE datname = 'qunfa_fault' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
              AND (query ILIKE '%lease_owner%FOR UPDATE%' OR query ILIKE '%UPDATE deliveries%')
            LIMIT 1`;
          const victim = found[0];
          if (victim) {
            const [done] = await admin<{ ok: boolean }[]>`SELECT pg_terminate_backend(${victim.pid}) AS ok`;
            if (done?.ok) killed.push(victim.query.slice(0, 80));
          } else await new Promise((resolve) => setTimeout(resolve, 5));
        }
        expect(killed).toHaveLength(5);
        await waitFor(
          tolerant(async () => (await store.getCampaign(id))?.state === 'completed'),
          'completion after the kills',
          120_000,
          logs,
        );
        expect(workers.map((w) => (w.child.exitCode === null ? 'running' : w.output().slice(-3000)))).toEqual(
          ['running', 'running'],
        );
        await expectExactlyOnce(cluster, id, RECIPIENTS);
      } finally {
        await admin.end();
      }
    }, 300_000);
  },
);
