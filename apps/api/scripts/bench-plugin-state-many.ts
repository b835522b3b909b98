/**
 * Reads and writes 10,000 plugin-state keys (an Official Account send's followers and their
 * month's mass sends) one by one and through getMany/setMany, alternating, on Redis and on
 * PostgreSQL. Not a test: `BENCH_PG=postgres://… npx tsx scripts/bench-plugin-state-many.ts`
 * (REDIS_URL defaults to redis://127.0.0.1:6379/0). Wall times on a shared machine are loaded:
 * compare the pairs, and the Node CPU.
 */
import { loadavg } from 'node:os';
import { type PluginState, readMany, writeMany } from '@qunfa/core';
import { closeRedis, connectRedis } from '../src/adapters/redis-connection.js';
import { createRedisPluginState } from '../src/adapters/redis-plugin-state.js';
import { createSqlPluginState } from '../src/adapters/sql-plugin-state.js';
import { openDatabase } from '../src/db/database.js';

const N = Number(process.env.KEYS ?? 10_000);
const keys = (round: string) =>
  Array.from({ length: N }, (_, i) => `bench/${round}/o${String(i).padStart(22, '0')}`);
/** The same backend without its batch methods: every key a round trip (parallel slices of 200). */
const oneByOne = (s: PluginState): PluginState => ({
  get: (k) => s.get(k),
  set: (k, v, t) => s.set(k, v, t),
  setIfAbsent: (k, v, t) => s.setIfAbsent(k, v, t),
  delete: (k) => s.delete(k),
});

async function pass(label: string, state: PluginState, round: string) {
  const list = keys(round);
  const cpu = process.cpuUsage();
  let at = performance.now();
  await readMany(state, list);
  const read = performance.now() - at;
  at = performance.now();
  await writeMany(
    state,
    list.map((key) => ({ key, value: [`send-${round}`] })),
    3_600_000,
  );
  const write = performance.now() - at;
  const used = process.cpuUsage(cpu);
  console.log(
    `${label}: read ${read.toFixed(0)} ms, write ${write.toFixed(0)} ms, Node CPU ${((used.user + used.system) / 1000).toFixed(0)} ms (${N} keys)`,
  );
}

async function bench(name: string, state: PluginState) {
  for (let round = 0; round < 3; round++) {
    await pass(`${name} one by one`, oneByOne(state), `${process.pid}-${round}-a`);
    await pass(`${name} batched   `, state, `${process.pid}-${round}-b`);
  }
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = `qf-bench-${process.pid}`;
const redis = createRedisPluginState({ url: redisUrl, prefix });
try {
  await bench('redis', redis);
} finally {
  await redis.close();
  // The run's keys go with it rather than after their hour's expiry: no one else uses a prefix named by this pid.
  const cleanup = connectRedis(redisUrl, 'bench-cleanup');
  let cursor = '0';
  do {
    const [next, found] = await cleanup.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (found.length > 0) await cleanup.del(...found);
    cursor = next;
  } while (cursor !== '0');
  await closeRedis(cleanup);
}
if (process.env.BENCH_PG) {
  const db = await openDatabase({ url: process.env.BENCH_PG });
  await bench('postgres', createSqlPluginState(db.db));
  await db.close();
}
