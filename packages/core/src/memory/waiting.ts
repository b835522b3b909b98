import type { BatchWait } from '../domain/waiting.js';
import type { BatchRef } from '../ports/store.js';
import { batchRefOf, type MemoryTables } from './tables.js';

/** A campaign's queued batches not due by `now`, by wait reason and channel. */
export function waitingBatches(t: MemoryTables, campaignId: string, now: Date): BatchWait[] {
  const groups = new Map<string, BatchWait>();
  for (const b of t.batches.values()) {
    if (b.campaignId !== campaignId || b.state !== 'queued' || b.dueAt <= now) continue;
    const key = `${b.waitReason ?? ''}\u0000${b.channel}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        reason: b.waitReason,
        channel: b.channel,
        recipients: b.size,
        firstDueAt: new Date(b.dueAt),
        lastDueAt: new Date(b.dueAt),
      });
      continue;
    }
    g.recipients += b.size;
    if (b.dueAt < g.firstDueAt) g.firstDueAt = new Date(b.dueAt);
    if (b.dueAt > g.lastDueAt) g.lastDueAt = new Date(b.dueAt);
  }
  return [...groups.values()];
}

/** Replaces each matching waiting batch by one due at `now` with the same deliveries. */
export function rescheduleWaiting(
  t: MemoryTables,
  input: { workspaceId?: string; reason: string; now: Date },
): BatchRef[] {
  const refs: BatchRef[] = [];
  const matching = [...t.batches.values()].filter((b) => {
    const state = t.campaigns.get(b.campaignId)?.state;
    return (
      b.state === 'queued' &&
      b.waitReason === input.reason &&
      b.dueAt > input.now &&
      (input.workspaceId === undefined || b.workspaceId === input.workspaceId) &&
      (state === 'running' || state === 'paused')
    );
  });
  for (const old of matching) {
    const seq = Math.max(
      ...[...t.batches.values()].filter((b) => b.campaignId === old.campaignId).map((b) => b.seq),
    );
    const id = t.nextId();
    t.batches.set(id, { ...old, id, seq: seq + 1, dueAt: new Date(input.now), starts: 0, waitReason: null });
    old.state = 'replaced';
    for (const d of t.deliveries.values()) if (d.batchId === old.id) d.batchId = id;
    refs.push(batchRefOf(t, t.batches.get(id)!));
  }
  return refs;
}
