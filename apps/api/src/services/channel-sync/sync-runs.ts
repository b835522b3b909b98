import type { WechatOaChannel, WecomChannel } from '@qunfa/channels';
import { type ChannelPlugin, QunfaError } from '@qunfa/core';
import { Repeater } from '@repeaterjs/repeater';
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import { type Db, rows } from '../../db/database.js';
import { type ChannelSyncCounts, channelSyncs } from '../../db/schema/index.js';
import { recordAudienceChanges } from '../../store/audience-changes.js';
import { writeAudit } from '../../store/audit.js';
import { textArrayLiteral } from '../../store/pg-array.js';
import type { ServiceDeps } from '../deps.js';
import { parseId, validate } from '../validate.js';
import { oaSync } from './oa-sync.js';
import { isTransient, syncError } from './provider-errors.js';
import { pacePage, syncContext } from './sync-context.js';
import type { RunHandle, SyncRunner } from './sync-runner.js';
import { storeSyncedPage } from './synced-contacts.js';
import { storeProviderTags } from './synced-tags.js';
import { wecomSync } from './wecom-sync.js';

export type ChannelSyncRow = typeof channelSyncs.$inferSelect;

const emptyCounts = (): ChannelSyncCounts => ({
  pages: 0,
  records: 0,
  created: 0,
  matched: 0,
  tags: 0,
  relations: 0,
  groups: 0,
  conflicts: 0,
});

/** Transient failures (timeouts, -1 busy) retried within a run, with 1 s, 2 s, 4 s pauses. */
const TRANSIENT_RETRIES = 3;

/** A running row not touched this long belongs to a process that died: it may be taken over. */
const STALE_MS = 10 * 60_000;

const startInput = z.object({ channel: z.string().min(1).max(100), restart: z.boolean().nullish() });

/** Runs in flight in this process, per app (so `stop` can wait for them). */
const running = new WeakMap<ServiceDeps, Set<Promise<void>>>();

type Syncable = { runner: SyncRunner<ChannelPlugin>; channel: ChannelPlugin };

function syncableOf(deps: ServiceDeps, name: string): Syncable {
  const plugin = deps.registry.channels.find((c) => c.name === name);
  if (!plugin) {
    throw new QunfaError('CHANNEL_NOT_FOUND', `${name} is not loaded (configure it first)`, {
      details: { channel: name },
    });
  }
  if (typeof (plugin as Partial<WecomChannel>).corpTags === 'function')
    return { runner: wecomSync as unknown as SyncRunner<ChannelPlugin>, channel: plugin };
  if (typeof (plugin as Partial<WechatOaChannel>).followerIds === 'function')
    return { runner: oaSync as unknown as SyncRunner<ChannelPlugin>, channel: plugin };
  throw new QunfaError(
    'INVALID_INPUT',
    `channel: ${name} has nothing to sync (WeCom and Official Accounts do)`,
    {
      details: { field: 'channel', channel: name },
    },
  );
}

/**
 * Starts a sync of a channel's people into the caller's workspace (admin): WeCom customers
 * with their staff and corp tags, or an Official Account's followers and tags. The provider's
 * tags are read first, in the request: credentials it refuses fail the call with
 * CHANNEL_CREDENTIALS_MISSING and nothing is written. The rest runs in the background; a run
 * that failed is resumed where it stopped unless `restart`. One run per channel and workspace.
 */
export async function startChannelSync(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'admin');
  const data = validate(startInput, input);
  const { runner, channel } = syncableOf(deps, data.channel);
  const abort = new AbortController();
  const onShutdown = () => abort.abort();
  deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  const ctx = syncContext(deps, channel, p.workspaceId, abort.signal);
  let providerTags: Awaited<ReturnType<typeof runner.readTags>>;
  try {
    providerTags = await runner.readTags(channel, ctx);
  } catch (error) {
    deps.shutdown.removeEventListener('abort', onShutdown);
    throw syncError(channel.name, error);
  }
  const row = await claimRun(deps, p.workspaceId, channel.name, data.restart ?? false);
  await writeAudit(deps.db, {
    at: deps.clock.now(),
    workspaceId: p.workspaceId,
    actor: { kind: 'api_key', id: String(p.keyId) },
    action: 'channel.sync_started',
    subjectType: 'channel_sync',
    subjectId: row.id,
    details: { channel: channel.name, restart: data.restart ?? false },
  });
  const work = execute(deps, row, { runner, channel, ctx, providerTags, restart: data.restart ?? false })
    .catch((error) =>
      deps.logger.error('channel sync failed to record its end', { sync: row.id, error: String(error) }),
    )
    .finally(() => {
      deps.shutdown.removeEventListener('abort', onShutdown);
      running.get(deps)?.delete(work);
    });
  const set = running.get(deps) ?? new Set();
  set.add(work);
  running.set(deps, set);
  return row;
}

/** The new run's row, carrying the position of a previous failed (or abandoned) run to resume. */
async function claimRun(deps: ServiceDeps, workspaceId: number, channel: string, restart: boolean) {
  return deps.db.transaction(async (tx) => {
    const [last] = await tx
      .select()
      .from(channelSyncs)
      .where(and(eq(channelSyncs.workspaceId, workspaceId), eq(channelSyncs.channel, channel)))
      .orderBy(desc(channelSyncs.id))
      .limit(1);
    if (last?.state === 'running') {
      if (deps.clock.now().getTime() - last.updatedAt.getTime() < STALE_MS) {
        throw new QunfaError('CONFLICT', `a sync of ${channel} is running (${last.id})`, {
          details: { channel, syncId: String(last.id) },
        });
      }
      await tx
        .update(channelSyncs)
        .set({
          state: 'failed',
          errorCode: 'INTERRUPTED',
          errorMessage: 'the process running it stopped',
          finishedAt: deps.clock.now(),
        })
        .where(eq(channelSyncs.id, last.id));
      last.state = 'failed';
    }
    const resume = !restart && last?.state === 'failed';
    const [row] = await tx
      .insert(channelSyncs)
      .values({
        workspaceId,
        channel,
        state: 'running',
        stage: 'tags',
        cursor: resume ? last.cursor : {},
        counts: emptyCounts(),
      })
      .returning();
    return row!;
  });
}

async function execute(
  deps: ServiceDeps,
  row: ChannelSyncRow,
  job: Syncable & {
    ctx: ReturnType<typeof syncContext>;
    providerTags: Awaited<ReturnType<SyncRunner<ChannelPlugin>['readTags']>>;
    restart: boolean;
  },
): Promise<void> {
  const { channel, ctx } = job;
  const counts = emptyCounts();
  let stage = 'tags';
  // When the unbroken series of runs began (a resumed run carries it): relations not seen since have ended.
  const since = typeof row.cursor.since === 'string' ? new Date(row.cursor.since) : deps.clock.now();
  // Carried from the start, not only by a provider that saves its position here (WeCom keeps its
  // own): a run that fails before its first saved page still hands its series' start on.
  let cursor: Record<string, unknown> = { ...row.cursor, since: since.toISOString() };
  const publish = () =>
    deps.bus.publish('channel.sync', String(row.id), {
      workspaceId: String(row.workspaceId),
      id: String(row.id),
      at: deps.clock.now().toISOString(),
    });
  const save: RunHandle['save'] = async (patch) => {
    if (patch.stage) stage = patch.stage;
    if (patch.cursor) cursor = { ...patch.cursor, since: since.toISOString() };
    for (const [k, v] of Object.entries(patch.add ?? {})) counts[k as keyof ChannelSyncCounts] += v ?? 0;
    await deps.db
      .update(channelSyncs)
      .set({ stage, cursor, counts: { ...counts }, updatedAt: deps.clock.now() })
      .where(eq(channelSyncs.id, row.id));
    await publish();
  };
  try {
    const tags = await storeProviderTags(deps.db, row.workspaceId, channel.name, job.providerTags);
    await save({ stage: job.runner.stage, add: { tags: tags.written } });
    const handle: RunHandle = {
      restart: job.restart,
      cursor: row.cursor,
      tagIds: tags.ids,
      pace: () => pacePage(deps, `${channel.name}:${row.workspaceId}`, ctx.signal),
      // Only a sweeping sync needs to know when it saw each relation (an extra write a page).
      store: (records, options) =>
        storeSyncedPage(deps.db, row.workspaceId, records, {
          ...options,
          now: deps.clock.now(),
          ...(job.runner.sweep ? { syncedAt: deps.clock.now() } : {}),
        }),
      save,
      note: (patch) => {
        stage = patch.stage;
        counts.groups = patch.groups;
      },
    };
    // A timeout or a busy provider is tried again from the saved position, a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await job.runner.run(channel, ctx, {
          ...handle,
          restart: job.restart && attempt === 0,
          cursor: attempt === 0 ? row.cursor : cursor,
        });
        break;
      } catch (error) {
        if (attempt >= TRANSIENT_RETRIES || !isTransient(error) || ctx.signal.aborted) throw error;
        deps.logger.warn('channel sync retried after a transient failure', { sync: row.id, attempt });
        await deps.clock.sleep(1000 * 2 ** attempt, ctx.signal).catch(() => {});
      }
    }
    if (ctx.signal.aborted) throw new QunfaError('INTERNAL', 'the server stopped during the sync');
    if (job.runner.sweep) {
      counts.removed =
        (counts.removed ?? 0) +
        (await sweepUnseen(deps, row.workspaceId, channel.name, since, job.providerTags));
    }
    await deps.db
      .update(channelSyncs)
      .set({
        state: 'completed',
        stage: 'done',
        cursor: {},
        counts: { ...counts },
        updatedAt: deps.clock.now(),
        finishedAt: deps.clock.now(),
      })
      .where(eq(channelSyncs.id, row.id));
  } catch (error) {
    const failure = ctx.signal.aborted
      ? new QunfaError('INTERNAL', 'the server stopped during the sync; start it again to resume')
      : syncError(channel.name, error);
    deps.logger.warn('channel sync failed', { sync: row.id, channel: channel.name, code: failure.code });
    await deps.db
      .update(channelSyncs)
      .set({
        state: 'failed',
        stage,
        cursor,
        counts: { ...counts },
        errorCode: ctx.signal.aborted ? 'INTERRUPTED' : failure.code,
        errorMessage: failure.message.slice(0, 500),
        updatedAt: deps.clock.now(),
        finishedAt: deps.clock.now(),
      })
      .where(eq(channelSyncs.id, row.id));
  }
  await publish();
}

/**
 * After a complete run: relations of the channel the series of runs did not see are ended
 * (`removed_by` sync), and the channel's tags the provider no longer has are taken off contacts.
 * Returns how many relations it ended.
 */
async function sweepUnseen(
  deps: ServiceDeps,
  workspaceId: number,
  channel: string,
  since: Date,
  providerTags: readonly { externalId: string }[],
): Promise<number> {
  const now = deps.clock.now();
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const ended = await rows<{ n: number }>(
      tx,
      sql`UPDATE contact_reach SET removed_by = 'sync', updated_at = ${now.toISOString()}::timestamptz
          WHERE workspace_id = ${workspaceId}::bigint AND channel = ${channel} AND removed_by IS NULL
            AND (synced_at IS NULL OR synced_at < ${since.toISOString()}::timestamptz)
          RETURNING 1 AS n`,
    );
    const stale = await rows<{ id: number | string }>(
      tx,
      sql`SELECT id FROM tags WHERE workspace_id = ${workspaceId}::bigint AND source = ${channel}
            AND NOT external_id = ANY(${textArrayLiteral(providerTags.map((t) => t.externalId))}::text[])`,
    );
    if (stale.length > 0) {
      const ids = `{${stale.map((s) => Number(s.id)).join(',')}}`;
      const untagged = await rows<{ id: number | string }>(
        tx,
        sql`UPDATE contacts SET tag_ids = ARRAY(SELECT t FROM unnest(tag_ids) t WHERE NOT t = ANY(${ids}::bigint[])),
              updated_at = ${now.toISOString()}::timestamptz
            WHERE workspace_id = ${workspaceId}::bigint AND tag_ids && ${ids}::bigint[]
            RETURNING id`,
      );
      await recordAudienceChanges(
        tx,
        workspaceId,
        untagged.map((u) => Number(u.id)),
      );
    }
    return ended.length;
  });
}

/** Waits for this process's runs to stop (the app's shutdown aborts them first). */
export async function waitForChannelSyncs(deps: ServiceDeps): Promise<void> {
  await Promise.allSettled([...(running.get(deps) ?? [])]);
}

export async function getChannelSync(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'read');
  const n = parseId(id);
  const [row] =
    n === undefined
      ? []
      : await deps.db
          .select()
          .from(channelSyncs)
          .where(and(eq(channelSyncs.id, n), eq(channelSyncs.workspaceId, p.workspaceId)));
  if (!row) throw new QunfaError('NOT_FOUND', 'no such sync', { details: { id } });
  return row;
}

/** The workspace's latest syncs, newest first (one channel's when given). */
export async function listChannelSyncs(
  deps: ServiceDeps,
  principal: Principal | null,
  channel?: string | null,
) {
  const p = authorize(principal, 'read');
  return deps.db
    .select()
    .from(channelSyncs)
    .where(
      and(
        eq(channelSyncs.workspaceId, p.workspaceId),
        channel ? eq(channelSyncs.channel, channel) : sql`true`,
      ),
    )
    .orderBy(desc(channelSyncs.id))
    .limit(20);
}

/** The run now, then again after every stored page; ends when it completes or fails. */
export async function channelSyncProgress(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<AsyncIterable<ChannelSyncRow>> {
  const first = await getChannelSync(deps, principal, id);
  return new Repeater<ChannelSyncRow>(async (push, stop) => {
    const abort = new AbortController();
    stop.then(() => abort.abort());
    const events = deps.bus.subscribe('channel.sync', String(first.id), abort.signal);
    const read = async () =>
      (await deps.db.select().from(channelSyncs).where(eq(channelSyncs.id, first.id)))[0]!;
    let last = await read();
    await push(last);
    try {
      if (last.state === 'running') {
        for await (const _ of events) {
          const now = await read();
          if (now.updatedAt.getTime() === last.updatedAt.getTime() && now.state === last.state) continue;
          last = now;
          await push(now);
          if (now.state !== 'running') break;
        }
      }
    } finally {
      abort.abort();
    }
    stop();
  });
}
