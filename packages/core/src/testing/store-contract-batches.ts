import { expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import type { CampaignPlan, DeliveryResult } from '../ports/store.js';
import {
  at,
  claimAll,
  makePlan,
  seedCampaign,
  seedContacts,
  t0,
  transition,
} from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

/** Five phone contacts, batches of 2 due a minute apart, campaign '1' running. */
async function running(h: StoreHarness): Promise<void> {
  await seedContacts(
    h,
    ['1', '2', '3', '4', '5'].map((id) => ({ id })),
  );
  await seedCampaign(h, { id: '1' });
  await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
}

const lease = { owner: 'w1', leaseMs: 60_000 };

/** Claims, leases, settlement and completion. */
export function batchContract(harness: () => StoreHarness): void {
  it('claims a due batch once, leases it and counts starts', async () => {
    const h = harness();
    await running(h);
    const [first, second] = await h.store.dueBatches(at(60_000), 10);
    expect(first && second).toBeTruthy();
    expect(await h.store.claimBatch({ batchId: second!.id, now: t0, ...lease })).toBeUndefined();
    const claimed = await h.store.claimBatch({ batchId: first!.id, now: t0, ...lease });
    expect(claimed?.batch).toMatchObject({ state: 'leased', leaseOwner: 'w1', starts: 1 });
    expect(claimed?.batch.leaseUntil?.getTime()).toBe(at(60_000).getTime());
    expect(claimed?.recipients.map((r) => r.previousState)).toEqual(['queued', 'queued']);
    expect(claimed?.recipients[0]?.identities[0]?.kind).toBe('phone');
    expect(
      await h.store.claimBatch({ batchId: first!.id, owner: 'w2', now: at(1000), leaseMs: 60_000 }),
    ).toBeUndefined();
    expect((await h.store.counters('1')).submitted).toBe(2);
    expect(await h.store.dueBatches(t0, 10)).toEqual([]);
  });

  it('lets another worker take over an expired lease, with its deliveries submitted', async () => {
    const h = harness();
    await running(h);
    const [ref] = await h.store.dueBatches(t0, 10);
    await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease });
    expect(
      await h.store.renewLease({ batchId: ref!.id, owner: 'w1', now: at(30_000), leaseMs: 60_000 }),
    ).toBe(true);
    expect(
      await h.store.renewLease({ batchId: ref!.id, owner: 'w2', now: at(30_000), leaseMs: 60_000 }),
    ).toBe(false);
    expect(await h.store.expiredLeases(at(60_000), 10)).toEqual([]);
    expect((await h.store.expiredLeases(at(90_001), 10)).map((b) => b.id)).toEqual([ref!.id]);
    const again = await h.store.claimBatch({
      batchId: ref!.id,
      owner: 'w2',
      now: at(90_001),
      leaseMs: 60_000,
    });
    expect(again?.batch).toMatchObject({ starts: 2, leaseOwner: 'w2' });
    expect(again?.recipients.map((r) => r.previousState)).toEqual(['submitted', 'submitted']);
    expect(
      await h.store.renewLease({ batchId: ref!.id, owner: 'w1', now: at(90_002), leaseMs: 60_000 }),
    ).toBe(false);
  });

  it('does not claim batches of a paused campaign, and claims them again once resumed', async () => {
    const h = harness();
    await running(h);
    const [ref] = await h.store.dueBatches(t0, 10);
    await h.store.transitionCampaign(transition('1', 'running', 'paused'));
    expect(await h.store.dueBatches(t0, 10)).toEqual([]);
    expect(await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease })).toBeUndefined();
    await h.store.transitionCampaign(transition('1', 'paused', 'running'));
    expect(await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease })).toBeDefined();
  });

  it('releases a batch untouched until its new due time', async () => {
    const h = harness();
    await running(h);
    const [ref] = await h.store.dueBatches(t0, 10);
    await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease });
    await h.store.releaseBatch({ batchId: ref!.id, owner: 'w1', dueAt: at(600_000) });
    expect((await h.store.counters('1')).queued).toBe(5);
    expect(await h.store.claimBatch({ batchId: ref!.id, now: at(1000), ...lease })).toBeUndefined();
    const again = await h.store.claimBatch({ batchId: ref!.id, now: at(600_000), ...lease });
    expect(again?.recipients.map((r) => r.previousState)).toEqual(['queued', 'queued']);
    expect(again?.batch.starts).toBe(1);
  });

  it('ignores a release by a worker whose lease was taken over', async () => {
    const h = harness();
    await running(h);
    const [ref] = await h.store.dueBatches(t0, 10);
    await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease });
    const later = at(lease.leaseMs + 1);
    const taken = await h.store.claimBatch({
      batchId: ref!.id,
      owner: 'w2',
      now: later,
      leaseMs: lease.leaseMs,
    });
    expect(taken?.batch.leaseOwner).toBe('w2');
    await h.store.releaseBatch({ batchId: ref!.id, owner: 'w1', dueAt: at(600_000) });
    expect(
      await h.store.renewLease({ batchId: ref!.id, owner: 'w2', now: later, leaseMs: lease.leaseMs }),
    ).toBe(true);
  });

  it('settles results, attempts, follow-ups and counters in one step', async () => {
    const h = harness();
    await running(h);
    const [ref] = await h.store.dueBatches(t0, 10);
    const claimed = await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease });
    const [a, b] = claimed!.recipients;
    const attempt = { channel: 'channel:a', account: null, providerMessageId: null, error: null };
    const results: DeliveryResult[] = [
      {
        deliveryId: a!.deliveryId,
        state: 'sent',
        attempt: { ...attempt, status: 'sent', failureClass: null },
      },
      {
        deliveryId: b!.deliveryId,
        state: 'queued',
        failureClass: 'network',
        error: 'timeout',
        attempt: { ...attempt, status: 'failed', failureClass: 'network', error: 'timeout' },
        retry: { at: at(7_200_000), channel: 'channel:a', batchSize: 2, account: null },
      },
    ];
    const settled = await h.store.settleBatch({
      batchId: claimed!.batch.id,
      leaseOwner: 'w1',
      at: at(1000),
      batchState: 'done',
      results,
    });
    expect(settled.counters).toMatchObject({ total: 5, sent: 1, queued: 4, submitted: 0 });
    expect(settled.followUps).toHaveLength(1);
    expect(settled.followUps[0]?.dueAt.getTime()).toBe(at(7_200_000).getTime());
    expect(await h.store.counters('1')).toEqual(settled.counters);
    const followUp = await h.store.claimBatch({
      batchId: settled.followUps[0]!.id,
      now: at(7_200_000),
      ...lease,
    });
    expect(followUp?.recipients.map((r) => [r.deliveryId, r.attempts])).toEqual([[b!.deliveryId, 1]]);
    const moved = await h.store.settleBatch({
      batchId: followUp!.batch.id,
      leaseOwner: 'w1',
      at: at(7_200_000),
      batchState: 'done',
      results: [
        {
          deliveryId: b!.deliveryId,
          state: 'queued',
          attempt: { ...attempt, status: 'failed', failureClass: 'invalid_recipient' },
          retry: { at: at(7_200_000), channel: 'channel:b', batchSize: 10, account: null },
        },
      ],
    });
    const escalated = await h.store.claimBatch({
      batchId: moved.followUps[0]!.id,
      now: at(7_200_000),
      ...lease,
    });
    expect(escalated?.batch.channel).toBe('channel:b');
    expect(escalated?.recipients.map((r) => r.attempts)).toEqual([0]);
  });

  it('settles a recipient the platform filtered: counted filtered, its attempt kept, nothing to retry', async () => {
    const h = harness();
    await running(h);
    const [ref] = await h.store.dueBatches(t0, 10);
    const claimed = await h.store.claimBatch({ batchId: ref!.id, now: t0, ...lease });
    const [a] = claimed!.recipients;
    const reason = 'already received 4 mass messages in 2025-03';
    const settled = await h.store.settleBatch({
      batchId: claimed!.batch.id,
      leaseOwner: 'w1',
      at: at(1000),
      batchState: 'done',
      results: [
        {
          deliveryId: a!.deliveryId,
          state: 'filtered',
          error: reason,
          attempt: {
            channel: 'channel:a',
            account: null,
            status: 'filtered',
            providerMessageId: null,
            failureClass: null,
            error: reason,
          },
        },
      ],
    });
    expect(settled.followUps).toEqual([]);
    expect(settled.counters).toMatchObject({ total: 5, filtered: 1, failed: 0, sent: 0 });
    expect(await h.store.counters('1')).toEqual(settled.counters);
  });

  it('writes nothing when the lease is lost', async () => {
    const h = harness();
    await running(h);
    const [claimed] = await claimAll(h);
    const before = await h.store.counters('1');
    const settling = h.store.settleBatch({
      batchId: claimed!.batch.id,
      leaseOwner: 'someone-else',
      at: t0,
      batchState: 'done',
      results: claimed!.recipients.map((r) => ({ deliveryId: r.deliveryId, state: 'sent' as const })),
    });
    await expect(settling).rejects.toSatisfy((e) => isQunfaError(e, 'LEASE_LOST'));
    expect(await h.store.counters('1')).toEqual(before);
  });

  it('completes a running campaign once no batch is queued or leased', async () => {
    const h = harness();
    await running(h);
    const claimed = await claimAll(h);
    expect(await h.store.completeIfDone('1', t0)).toBeUndefined();
    for (const c of claimed) {
      expect(await h.store.completeIfDone('1', t0)).toBeUndefined();
      const failed = c.recipients.map((r) => ({
        deliveryId: r.deliveryId,
        state: 'failed' as const,
        failureClass: 'unknown' as const,
      }));
      await h.store.settleBatch({
        batchId: c.batch.id,
        leaseOwner: 'w1',
        at: t0,
        batchState: 'done',
        results: failed,
      });
    }
    const counters = await h.store.counters('1');
    expect(counters).toMatchObject({ total: 5, failed: 5, queued: 0, submitted: 0 });
    expect(counters.failedByClass.unknown).toBe(5);
    expect((await h.store.completeIfDone('1', at(5000)))?.state).toBe('completed');
    expect(await h.store.completeIfDone('1', at(6000))).toBeUndefined();
  });

  it('cancels queued batches with the campaign', async () => {
    const h = harness();
    await running(h);
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled'));
    expect(await h.store.dueBatches(at(3_600_000), 10)).toEqual([]);
    expect(await claimAll(h)).toEqual([]);
    expect(await h.store.completeIfDone('1', t0)).toBeUndefined();
    expect((await h.store.getCampaign('1'))?.state).toBe('cancelled');
  });

  it('records sender account health per channel and account, the latest winning', async () => {
    const h = harness();
    const actor = { kind: 'system' as const, id: 'test' };
    expect(await h.store.accountHealth('channel:a')).toEqual([]);
    const cooling = {
      channel: 'channel:a',
      account: 'wx1',
      state: 'cooling' as const,
      until: at(3_600_000),
      reason: 'too frequent',
      updatedAt: t0,
    };
    await h.store.setAccountHealth(cooling, actor);
    await h.store.setAccountHealth(
      { ...cooling, account: 'wx2', state: 'restricted', until: null, reason: 'banned' },
      actor,
    );
    await h.store.setAccountHealth({ ...cooling, channel: 'channel:b' }, actor);
    await h.store.setAccountHealth(
      { ...cooling, state: 'healthy', until: null, reason: null, updatedAt: at(1000) },
      actor,
    );
    const found = (await h.store.accountHealth('channel:a')).sort((x, y) =>
      x.account.localeCompare(y.account),
    );
    expect(found).toEqual([
      {
        channel: 'channel:a',
        account: 'wx1',
        state: 'healthy',
        until: null,
        reason: null,
        updatedAt: at(1000),
      },
      {
        channel: 'channel:a',
        account: 'wx2',
        state: 'restricted',
        until: null,
        reason: 'banned',
        updatedAt: t0,
      },
    ]);
  });

  it('plans a resend of exactly the unresolved failed or uncertain recipients, once', async () => {
    const h = harness();
    await running(h);
    const far = at(365 * 24 * 3_600_000);
    const claimed = await claimAll(h);
    const recipients = claimed.flatMap((c) => c.recipients.map((r) => ({ batch: c.batch.id, r })));
    const stateOf = (contactId: string) =>
      contactId === '1' ? 'failed' : contactId === '2' ? 'uncertain' : 'sent';
    for (const c of claimed) {
      await h.store.settleBatch({
        batchId: c.batch.id,
        leaseOwner: 'w1',
        at: far,
        batchState: 'done',
        results: c.recipients.map((r) => ({
          deliveryId: r.deliveryId,
          state: stateOf(r.contactId),
          ...(stateOf(r.contactId) === 'failed'
            ? { failureClass: 'network' as const, error: 'timeout' }
            : {}),
        })),
      });
    }
    expect(recipients).toHaveLength(5);
    const resend = async (id: string, states: ('failed' | 'uncertain')[]) => {
      await seedCampaign(h, { id, resendOf: { campaignId: '1', states } });
      const plan = makePlan(id, { restrictTo: { campaignId: '1', states } });
      return (await h.store.startCampaign(transition(id, 'draft', 'running'), plan)).summary;
    };
    expect((await resend('2', ['failed'])).total).toBe(1);
    // Resent already: a second resend of the failed finds nobody.
    expect((await resend('3', ['failed'])).total).toBe(0);
    const actor = { kind: 'system' as const, id: 'test' };
    expect(await h.store.dropUncertain({ campaignId: '1', actor, at: far })).toBe(1);
    expect(await h.store.dropUncertain({ campaignId: '1', actor, at: far })).toBe(0);
    const counters = await h.store.counters('1');
    expect({
      failed: counters.failed,
      uncertain: counters.uncertain,
      unknown: counters.failedByClass.unknown,
    }).toEqual({
      failed: 2,
      uncertain: 0,
      unknown: 1,
    });
    // Dropped means it may have been sent: never resent.
    expect((await resend('4', ['uncertain', 'failed'])).total).toBe(0);
  });

  it('plans a resend of failed recipients of the failure classes asked for only', async () => {
    const h = harness();
    await running(h);
    const far = at(365 * 24 * 3_600_000);
    const outcome = (contactId: string): Omit<DeliveryResult, 'deliveryId'> =>
      contactId === '1'
        ? { state: 'failed', failureClass: 'network', error: 'timeout' }
        : contactId === '2'
          ? { state: 'failed', failureClass: 'invalid_recipient', error: 'no such number' }
          : contactId === '3'
            ? { state: 'uncertain' }
            : { state: 'sent' };
    for (const c of await claimAll(h)) {
      await h.store.settleBatch({
        batchId: c.batch.id,
        leaseOwner: 'w1',
        at: far,
        batchState: 'done',
        results: c.recipients.map((r) => ({ deliveryId: r.deliveryId, ...outcome(r.contactId) })),
      });
    }
    const resend = async (id: string, restrictTo: NonNullable<CampaignPlan['restrictTo']>) => {
      await seedCampaign(h, { id, resendOf: restrictTo });
      const plan = makePlan(id, { restrictTo });
      await h.store.startCampaign(transition(id, 'draft', 'running'), plan);
      return (await claimAll(h)).flatMap((c) => c.recipients.map((r) => r.contactId)).sort();
    };
    // Uncertain ones have no class: the classes restrict the failed ones only.
    expect(
      await resend('2', { campaignId: '1', states: ['failed', 'uncertain'], failureClasses: ['network'] }),
    ).toEqual(['1', '3']);
    expect(
      await resend('3', { campaignId: '1', states: ['failed'], failureClasses: ['invalid_recipient'] }),
    ).toEqual(['2']);
  });
}
