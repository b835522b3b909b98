import { sandbox } from '@qunfa/channels';
import { type Clock, type Logger, type QunfaPlugin, silentLogger } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { type App, type BuildOptions, buildApp } from '../../src/app.js';
import { createApiKey } from '../../src/auth/api-keys.js';
import type { Role } from '../../src/auth/roles.js';
import type { AppConfig } from '../../src/config.js';
import { workspaces } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type Driver } from './databases.js';

export interface Workspace {
  id: number;
  keys: Record<Role, string>;
}

export interface TestApp {
  app: App;
  url: string;
  /** Two workspaces, each with a key per role. */
  a: Workspace;
  b: Workspace;
  stop(): Promise<void>;
}

/** A fast, seeded sandbox: low latency and a few failures of every class. */
export function testPlugins(): QunfaPlugin[] {
  return [
    sandbox({
      latencyMs: { min: 1, max: 5 },
      maxRecipientsPerSend: 100,
      seed: 42,
      failureRates: { network: 0.01, invalid_recipient: 0.02, blocked_by_user: 0.01 },
    }),
    ...builtinMetrics(),
  ];
}

/** A workspace with a key for every role. */
export async function addWorkspace(app: App, name: string): Promise<Workspace> {
  const [ws] = await app.deps.db.insert(workspaces).values({ name }).returning();
  const keys = {} as Record<Role, string>;
  for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
    keys[role] = (await createApiKey(app.deps.db, { workspaceId: ws!.id, name: `${role} key`, role })).key;
  }
  return { id: ws!.id, keys };
}

/** Starts the real server (HTTP + WebSocket + inline worker) on a loopback port. */
export async function startTestApp(
  driver: Driver,
  overrides: Partial<AppConfig> = {},
  plugins: NonNullable<BuildOptions['plugins']> = testPlugins(),
  options: { logger?: Logger; clock?: Clock } = {},
  /** A database made elsewhere (a fault test's private server); default a fresh one of `driver`. */
  databaseUrl?: string,
): Promise<TestApp> {
  const database = databaseUrl
    ? { url: databaseUrl, dataDir: 'memory://', drop: async () => {} }
    : await createTestDatabase(driver);
  const config: AppConfig = {
    databaseUrl: database.url,
    dataDir: database.dataDir,
    port: 0,
    host: '127.0.0.1',
    worker: 'inline',
    workerConcurrency: 4,
    seedDemo: false,
    logLevel: 'silent',
    tickIntervalMs: 50,
    ...overrides,
  };
  const app = await buildApp(config, {
    plugins,
    logger: options.logger ?? (process.env.TEST_LOG ? createLogger('debug') : silentLogger),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const url = await app.start();
  const a = await addWorkspace(app, 'Workspace A');
  const b = await addWorkspace(app, 'Workspace B');
  return {
    app,
    url,
    a,
    b,
    stop: async () => {
      await app.stop();
      await database.drop();
    },
  };
}
