import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../src/auth/api-keys.js';
import { ChildProcesses } from './support/child-processes.js';
import { codesOf, gql } from './support/graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const VIEWER = '{ viewer { role } }';

describe('per-key request limits', () => {
  const prefix = testRedisPrefix('keyrate');
  const processes = new ChildProcesses();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { worker: 'off', redisUrl: testRedisUrl, redisPrefix: prefix });
  });
  afterAll(async () => {
    await processes.killAll();
    await t?.stop();
    await dropRedisPrefix(prefix);
  });

  const limitedKey = async (perMinute: number) =>
    (
      await createApiKey(t.app.deps.db, {
        workspaceId: t.a.id,
        name: `limited ${perMinute}`,
        role: 'viewer',
        rateLimitPerMinute: perMinute,
      })
    ).key;

  it('refuses a key past its budget with RATE_LIMITED, 429 and Retry-After; other keys are untouched', async () => {
    const key = await limitedKey(3);
    for (let i = 0; i < 3; i++) expect((await gql(t.url, key, VIEWER)).errors).toBeUndefined();
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { errors: { extensions: { code: string; retryAfterMs: number } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.extensions.retryAfterMs).toBeGreaterThan(0);
    expect((await gql(t.url, t.a.keys.viewer, VIEWER)).errors).toBeUndefined();
  });

  it('holds across two API processes sharing Redis', async () => {
    const env = {
      DATABASE_URL: t.app.config.databaseUrl!,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      WORKER: 'off',
      PORT: '0',
      HOST: '127.0.0.1',
    };
    const urls = await Promise.all(
      [processes.spawn('serve', env), processes.spawn('serve', env)].map((p) => processes.urlOf(p, 180_000)),
    );
    const key = await limitedKey(3);
    // Four requests on each process at once: a budget per process would let six through.
    const answers = await Promise.all(urls.flatMap((url) => [1, 2, 3, 4].map(() => gql(url, key, VIEWER))));
    const passed = answers.filter((a) => a.errors === undefined).length;
    expect(passed).toBe(3);
    expect(answers.filter((a) => codesOf(a)[0] === 'RATE_LIMITED')).toHaveLength(5);
  });
});
