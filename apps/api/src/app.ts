import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type Clock,
  createEngine,
  createRegistry,
  type Engine,
  type Logger,
  type QunfaPlugin,
  scopePluginState,
  systemClock,
} from '@qunfa/core';
import { openPorts } from './adapters/open-ports.js';
import { claimPrefixForDatabase } from './adapters/redis-prefix-owner.js';
import { shiftedClock } from './adapters/shifted-clock.js';
import { createSqlPluginState } from './adapters/sql-plugin-state.js';
import { audienceIndexesFor } from './audience/audience-indexes.js';
import { createContentChecker } from './compliance/content-checker.js';
import { createLexiconCache } from './compliance/lexicon-cache.js';
import { type AppConfig, archiveTargetOf } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { defaultBodyLimits, guardBodySize } from './http/body-limit.js';
import { CALLBACK_PATH, createCallbackHandler } from './http/callbacks.js';
import { CONVERSION_PATH, createConversionHandler } from './http/conversions.js';
import { createGraphiqlAssetsHandler, GRAPHIQL_ASSETS_PATH } from './http/graphiql.js';
import { createLinkHandler, LINK_PATH } from './http/links.js';
import { createOpenPixelHandler, OPEN_PIXEL_PATH, openPixelKey } from './http/open-pixel.js';
import { createStaticHandler } from './http/static-files.js';
import { createUnsubscribeHandler, UNSUBSCRIBE_PATH } from './http/unsubscribe.js';
import { createImportsInFlight } from './import/imports-in-flight.js';
import { linkSecret } from './links/link-secret.js';
import { createLinkTokens } from './links/link-token.js';
import { createLogger } from './logger.js';
import { deliveryLog } from './ops/delivery-log.js';
import { createHealth } from './ops/health.js';
import { createHealthHandler, isHealthPath } from './ops/health-endpoint.js';
import { startHeartbeat } from './ops/heartbeat.js';
import { retryKeptReceipts } from './ops/kept-receipts-retry.js';
import { createAppMetrics } from './ops/metrics.js';
import { createMetricsHandler, METRICS_PATH } from './ops/metrics-endpoint.js';
import { assemblePlugins } from './plugin-config/assemble-plugins.js';
import { logActivePlugins } from './plugin-config/log-plugins.js';
import { defaultPlugins, type PluginServices } from './plugins.js';
import { createReachSink } from './services/channel-sync/reach-sink.js';
import { waitForChannelSyncs } from './services/channel-sync/sync-runs.js';
import type { ServiceDeps } from './services/deps.js';
import { createInboundSink } from './services/inbound/inbound-sink.js';
import { DEFAULT_ATTRIBUTION_MS } from './services/inbound/record-inbound.js';
import { applyServerQuietHours } from './services/quiet-hours.js';
import { startRetentionJob } from './services/retention/retention-job.js';
import { createFollowUpRunner } from './services/triage/follow-ups.js';
import { defaultWebhookAddressPolicy } from './services/webhooks/address-guard.js';
import { startWebhookDispatcher } from './services/webhooks/dispatcher.js';
import { createMilestoneWatcher } from './services/webhooks/milestones.js';
import { createSqlCampaignFacts, createSqlRecipientFacts } from './store/recipient-facts-sql.js';
import { createSqlStore } from './store/sql-store.js';

const consoleDist = fileURLToPath(new URL('../../console/dist', import.meta.url));

export interface App {
  config: AppConfig;
  deps: ServiceDeps;
  database: Database;
  /** Listens and resolves with the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  /** The plugins, or a function of the services data-reading plugins need; default: QUNFA_CONFIG or the default set. */
  plugins?: QunfaPlugin[] | ((services: PluginServices) => QunfaPlugin[]);
  logger?: Logger;
  /** Serve HTTP (API and console); false for a worker-only process. */
  http?: boolean;
  /** The clock of the engine, the worker's jobs and the services; default the system clock moved by `config.clockOffsetMs`. */
  clock?: Clock;
}

/** Wires the adapters to the kernel: database, store, queue, event bus, rate limiter, engine, GraphQL. */
export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? (config.clockOffsetMs ? shiftedClock(config.clockOffsetMs) : systemClock);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  const store = createSqlStore(database.db);
  if (config.redisUrl) {
    await claimPrefixForDatabase(
      { url: config.redisUrl, prefix: config.redisPrefix ?? 'qunfa' },
      database,
      clock,
      logger,
    );
  }
  const ports = await openPorts(config, logger, clock);
  const { queue, bus, limiter } = ports;
  const lexicons = createLexiconCache({ db: database.db, bus, logger });
  await lexicons.start();
  const pluginState = ports.pluginState ?? createSqlPluginState(database.db, clock);
  const services: PluginServices = {
    lexiconIndex: lexicons.index,
    recipientFacts: createSqlRecipientFacts(database.db),
    campaignFacts: createSqlCampaignFacts(database.db),
    quietHours: config.quietHours ?? { start: '22:00', end: '08:00' },
    limiter,
    pluginState: (name) => scopePluginState(pluginState, name),
  };
  const assembled = options.plugins
    ? await assemblePlugins(
        typeof options.plugins === 'function' ? options.plugins(services) : options.plugins,
        undefined,
        services,
      )
    : await assemblePlugins(defaultPlugins(services), config.pluginConfig, services);
  const registry = createRegistry(assembled.plugins);
  logActivePlugins(logger, registry, assembled);
  const secret = await linkSecret(database.db, config.linkSecret, clock.now());
  const tokens = createLinkTokens(secret);
  // Its own key, so that no click token can ever be replayed as an unsubscribe.
  const unsubscribeTokens = createLinkTokens(
    createHmac('sha256', secret).update('qunfa/unsubscribe/v1').digest('base64url'),
  );
  // And the open pixel its own: loading an image must never count as a click, nor the reverse.
  const openTokens = createLinkTokens(openPixelKey(secret));
  // Until the server listens (or for a worker-only process), links point at the configured port.
  let publicUrl = (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
  const inboundAttributionMs = config.inboundAttributionMs ?? DEFAULT_ATTRIBUTION_MS;
  const shutdown = new AbortController();
  const workerId = `worker-${randomUUID()}`;
  const staleMs = config.workerStaleMs ?? 60_000;
  const heartbeat = startHeartbeat({
    db: database.db,
    workerId,
    logger,
    intervalMs: staleMs / 6,
    now: () => clock.now(),
  });
  let workerStartedAt = clock.now();
  const health = createHealth({
    db: database.db,
    logger,
    redisUrl: config.redisUrl,
    worker:
      config.worker === 'inline'
        ? {
            lastTick: heartbeat.lastTick,
            get startedAt() {
              return workerStartedAt;
            },
          }
        : undefined,
    staleMs,
    queueLagWarnSeconds: config.queueLagWarnSeconds ?? 300,
    timeoutMs: 2_000,
    stopping: () => shutdown.signal.aborted,
    now: () => clock.now(),
  });
  audienceIndexesFor(database.db).limit((config.audienceIndexMaxMb ?? 1024) * 1024 * 1024);
  const metrics = createAppMetrics(database.db, health, () => clock.now());
  // A logger passed in may keep every level; one built from the config writes debug lines only at debug.
  const log = deliveryLog(logger, { debug: options.logger !== undefined || config.logLevel === 'debug' });
  const linkTracker = {
    url: (ref: { deliveryId: string; link: number }) => `${publicUrl}${LINK_PATH}${tokens.sign(ref)}`,
    unsubscribeUrl: ({ deliveryId }: { deliveryId: string }) =>
      `${publicUrl}${UNSUBSCRIBE_PATH}${unsubscribeTokens.sign({ deliveryId, link: 0 })}`,
    // Asked only for campaigns whose workspace allowed the pixel when they started (Campaign.openPixel).
    openPixelUrl: ({ deliveryId }: { deliveryId: string }) =>
      `${publicUrl}${OPEN_PIXEL_PATH}${openTokens.sign({ deliveryId, link: 0 })}.gif`,
  };
  const evidence = {
    signingKey: createHmac('sha256', secret).update('qunfa/evidence/v1').digest('base64url'),
    linkTracker,
  };
  const milestones = createMilestoneWatcher({ db: database.db, clock, logger });
  const followUps = createFollowUpRunner({
    db: database.db,
    clock,
    engine: { followUp: (input) => engine.followUp(input) },
    logger,
  });
  const engine: Engine = createEngine({
    store,
    queue,
    bus,
    limiter,
    clock,
    registry,
    logger,
    workerId,
    ...(config.leaseMs === undefined ? {} : { leaseMs: config.leaseMs }),
    ...(config.maxBatchStarts === undefined ? {} : { maxBatchStarts: config.maxBatchStarts }),
    contentChecker: createContentChecker(database.db),
    pluginState,
    observer: {
      batchSettled(event) {
        metrics.batchSettled(event);
        log.batchSettled(event);
        milestones.nudge(event.workspaceId, event.campaignId);
      },
      campaignCompleted(event) {
        milestones.nudge(event.workspaceId, event.campaignId);
      },
    },
    inbound: createInboundSink(
      { db: database.db, bus, clock, logger, registry, followUps, evidence },
      inboundAttributionMs,
    ),
    reach: createReachSink(database.db, clock),
    linkTracker,
  });
  const imports = createImportsInFlight();
  const deps: ServiceDeps = {
    imports,
    db: database.db,
    pluginState,
    shutdown: shutdown.signal,
    store,
    engine,
    registry,
    bus,
    clock,
    logger,
    lexicons,
    inboundAttributionMs,
    followUps,
    evidence,
    linkTokens: tokens,
    quietHours: services.quietHours,
    pluginOrigins: assembled.origins,
    ownerKey: config.ownerKey,
    limiter,
    requestLimiter: ports.requestLimiter,
    keyRateLimitPerMinute: config.keyRateLimitPerMinute ?? 600,
    webhookAddresses: config.webhooks?.addresses ?? defaultWebhookAddressPolicy,
    archiveTarget: archiveTargetOf(config),
  };

  let server: Server | undefined;
  let ws: { close(): Promise<void> } | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  let webhooks: { stop(): Promise<void> } | undefined;
  let warmIndexes: { stop(): Promise<void> } | undefined;
  let retention: { stop(): Promise<void> } | undefined;
  let earlyReceipts: NodeJS.Timeout | undefined;
  let healthServer: Server | undefined;
  const closeServer = async (s: Server | undefined) => {
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  return {
    config,
    deps,
    database,
    async start() {
      await applyServerQuietHours(deps);
      if (config.worker === 'inline') {
        webhooks = startWebhookDispatcher({
          db: database.db,
          clock,
          logger,
          ...(config.webhooks ? { policy: config.webhooks } : {}),
          redis: config.redisUrl
            ? { url: config.redisUrl, prefix: config.redisPrefix ?? 'qunfa' }
            : undefined,
        });
        workerStartedAt = clock.now();
        worker = engine.runWorker({
          concurrency: config.workerConcurrency,
          tickIntervalMs: config.tickIntervalMs,
          onTick: heartbeat.tick,
          ...(config.receiptPollIntervalMs === undefined
            ? {}
            : { receiptPollIntervalMs: config.receiptPollIntervalMs }),
        });
        followUps.start(Math.max(config.tickIntervalMs, 1000));
        retention = startRetentionJob(
          { db: database.db, clock, logger },
          config.retentionIntervalMs ?? 3_600_000,
          deps.archiveTarget,
        );
      }
      if (config.worker !== 'inline' && options.http !== false) {
        earlyReceipts = retryKeptReceipts(engine, logger, config.receiptPollIntervalMs ?? 5_000);
      }
      const healthEndpoint = createHealthHandler(health);
      if (options.http === false) {
        if (config.healthPort === undefined) return '';
        // A worker process has no API: it answers its orchestrator's probes and nothing else.
        healthServer = createServer((req, res) => {
          if (isHealthPath(req.url)) return void healthEndpoint(req, res);
          res.writeHead(404);
          res.end();
        });
        await new Promise<void>((resolve) => healthServer!.listen(config.healthPort, config.host, resolve));
        const { port } = healthServer.address() as AddressInfo;
        return `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
      }
      if (config.audienceWarmMs) {
        warmIndexes = audienceIndexesFor(database.db).keepWarm({ intervalMs: config.audienceWarmMs, logger });
      }
      // Loaded only to serve: GraphQL, yoga and the schema are ~110 MB of a worker's resident memory.
      const { attachWebSocket, createGraphQLServer, GRAPHQL_PATH } = await import('./graphql/yoga.js');
      const yoga = createGraphQLServer(deps);
      const serveConsole = createStaticHandler(consoleDist);
      const graphiqlAssets = createGraphiqlAssetsHandler();
      const bodyLimits = { ...defaultBodyLimits, ...config.bodyLimits };
      const callbacks = createCallbackHandler({ engine, logger, onError: metrics.callbackError });
      const metricsEndpoint = createMetricsHandler({
        registry: metrics.registry,
        token: config.metricsToken,
        logger,
      });
      const links = createLinkHandler({
        db: database.db,
        engine,
        clock,
        logger,
        tokens,
        clickParam: config.linkClickParam === undefined ? 'qf_click' : config.linkClickParam,
      });
      const conversionsEndpoint = createConversionHandler({
        db: database.db,
        clock,
        logger,
        tokens,
      });
      const unsubscribe = createUnsubscribeHandler({
        db: database.db,
        clock,
        tokens: unsubscribeTokens,
      });
      const openPixel = createOpenPixelHandler({ engine, clock: systemClock, logger, tokens: openTokens });
      const failed = (res: ServerResponse) => (error: unknown) => {
        logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      };
      server = createServer((req, res) => {
        const path = req.url ?? '';
        if (path.startsWith(GRAPHQL_PATH)) {
          if (guardBodySize(req, res, bodyLimits)) void yoga(req, res);
          return;
        }
        if (path.startsWith(GRAPHIQL_ASSETS_PATH)) return graphiqlAssets(req, res);
        if (isHealthPath(path)) return void healthEndpoint(req, res).catch(failed(res));
        if (path === METRICS_PATH || path.startsWith(`${METRICS_PATH}?`))
          return void metricsEndpoint(req, res).catch(failed(res));
        if (path.startsWith(CALLBACK_PATH)) return void callbacks(req, res).catch(failed(res));
        if (path.startsWith(LINK_PATH)) return void links(req, res).catch(failed(res));
        if (path.startsWith(UNSUBSCRIBE_PATH)) return void unsubscribe(req, res).catch(failed(res));
        if (path.startsWith(OPEN_PIXEL_PATH)) return void openPixel(req, res).catch(failed(res));
        if (path.startsWith(CONVERSION_PATH)) return void conversionsEndpoint(req, res).catch(failed(res));
        serveConsole(req, res);
      });
      // Longer than clients' own keep-alive (undici: 4 s), so a client never reuses a socket the
      // server is closing at the same instant ("other side closed").
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      ws = attachWebSocket(server, yoga, logger, deps, metrics.subscriptions);
      await new Promise<void>((resolve) => server!.listen(config.port, config.host, resolve));
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      if (!config.publicUrl) publicUrl = `http://${host}:${port}`;
      return `http://${host}:${port}`;
    },
    async stop() {
      shutdown.abort();
      // Imports in flight finish within a third of the stop's deadline, else roll back, and
      // record their outcome while the database is still open. Called before any await, so a
      // new import is refused from the moment the stop begins.
      const importGraceMs = Math.min(5_000, (config.stopTimeoutMs ?? 15_000) / 3);
      const importsStopped = imports.stop(importGraceMs);
      await waitForChannelSyncs(deps);
      clearInterval(earlyReceipts);
      await Promise.all([worker?.stop(), importsStopped]);
      await heartbeat.stop();
      await followUps.stop();
      await retention?.stop();
      await milestones.idle();
      await webhooks?.stop();
      await warmIndexes?.stop();
      await ws?.close();
      await closeServer(server);
      await closeServer(healthServer);
      await health.close();
      await engine.close();
      // Plugins holding connections of their own (personal WeChat puppets) let them go.
      for (const plugin of registry.channels) await (plugin as { close?: () => Promise<void> }).close?.();
      lexicons.close();
      await ports.close();
      await database.close();
    },
  };
}
