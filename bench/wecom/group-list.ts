/**
 * The customer groups list over GraphQL at BENCH_GROUPS (default 10,000) groups of 20 owners in
 * one workspace, on an in-process PGlite (its CPU is this process's): a page of 50 with health
 * (one SQL page, one state read, the metrics) and a `health: UNHEALTHY` filter that must read
 * every group's month (1 % unhealthy, spread), timed in alternating pairs with the CPU each took
 * and the load average beside. `pnpm --filter @qunfa/bench-wecom exec tsx group-list.ts`
 */
import { loadavg } from 'node:os';
import { buildApp } from '@qunfa/api/src/app.js';
import { createApiKey } from '@qunfa/api/src/auth/api-keys.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { wecom } from '@qunfa/channels';
import { scopePluginState, silentLogger } from '@qunfa/core';
import { builtinGroupMetrics } from '@qunfa/plugins';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const channel = wecom({
  corpId: 'wwbench0000000001',
  apps: [{ agentId: 1000002, secret: 'bench-app-secret' }],
  contactSecret: 'bench-contact-secret',
  baseUrl: 'http://127.0.0.1:9', // never called: the list reads the database and the channel's state
});
const app = await buildApp(
  {
    databaseUrl: undefined,
    dataDir: 'memory://',
    port: 0,
    host: '127.0.0.1',
    worker: 'off',
    seedDemo: false,
    logLevel: 'silent',
  } as never,
  { plugins: [channel, ...builtinGroupMetrics()], logger: silentLogger },
);
const url = await app.start();
const [ws] = await app.deps.db.insert(workspaces).values({ name: 'bench' }).returning();
const { key } = await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'bench', role: 'viewer' });

// Groups as the WeCom sync writes them: a group contact, its chat id, its owner's relation.
const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7); // China time
const chat = (i: number) => `wrBench${String(i).padStart(6, '0')}`;
// Numbers only in the text: no parameter to bind (a plain string statement through drizzle's execute).
const wsId = Number(ws!.id);
await app.deps.db.execute(`
  WITH c AS (
    INSERT INTO contacts (workspace_id, kind, name, attributes)
    SELECT ${wsId}, 'group', '会员群' || g, jsonb_build_object('memberCount', 100)
    FROM generate_series(0, ${Math.trunc(GROUPS) - 1}) g RETURNING id, name)
  , i AS (INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
    SELECT ${wsId}, id, 'wecom_chat_id', 'wrBench' || lpad(substr(name, 4), 6, '0') FROM c)
  INSERT INTO contact_reach (workspace_id, contact_id, channel, account, synced_at)
  SELECT ${wsId}, id, 'channel:wecom', 'owner' || (substr(name, 4)::int % 20), TIMESTAMPTZ '2026-01-01 00:00:00+00' FROM c`);
const state = scopePluginState(app.deps.pluginState, channel.name);
for (let from = 0; from < GROUPS; from += 1000) {
  const entries = [];
  for (let i = from; i < Math.min(GROUPS, from + 1000); i++) {
    const leaves = i % 100 === 99 ? 10 : i % 5; // 1 % past 5 % (10 of 100), the rest at most 4 %
    entries.push({
      key: `group/${chat(i)}`,
      value: {
        chatId: chat(i),
        members: 100 - leaves,
        months: { [month]: { joins: 0, leaves } },
        versions: [],
      },
    });
  }
  if (state.setMany) await state.setMany(entries);
  else for (const e of entries) await state.set(e.key, e.value);
}

const query = async (args: string) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      query: `{ customerGroups(${args}) { edges { node { chatId owner memberCount health { quitRate healthy } } } } }`,
    }),
  });
  const body = (await res.json()) as { data?: { customerGroups: { edges: unknown[] } }; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.customerGroups.edges.length;
};
const timed = async (args: string) => {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const n = await query(args);
  const used = process.cpuUsage(cpu);
  return {
    ms: Math.round(performance.now() - t0),
    cpuMs: Math.round((used.user + used.system) / 1000),
    rows: n,
  };
};
await query('first: 50'); // warm: schema, plans
const pairs = [];
for (let r = 0; r < ROUNDS; r++) {
  const page = await timed('first: 50');
  const unhealthy = await timed('first: 200, health: UNHEALTHY');
  pairs.push({ load: Number(loadavg()[0]!.toFixed(1)), page, unhealthy });
}
console.log(JSON.stringify({ groups: GROUPS, month, pairs }, null, 1));
await app.stop();
