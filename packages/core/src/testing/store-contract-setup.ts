import type { Actor, Campaign, CampaignState } from '../domain/campaign.js';
import type { Contact, SuppressionReason } from '../domain/contact.js';
import type { CampaignPlan, CampaignTransition, ClaimedBatch } from '../ports/store.js';
import { makeCampaign, makeContact } from './fixtures.js';
import type { StoreHarness } from './store-harness.js';

export const t0 = new Date('2026-03-02T01:00:00.000Z');
export const actor: Actor = { kind: 'user', id: '1' };
export const at = (ms: number) => new Date(t0.getTime() + ms);

/** Tags '1'–'3' in workspace '1', tag '4' in workspace '2'. */
export async function seedWorkspaces(h: StoreHarness): Promise<void> {
  for (const id of ['1', '2'])
    await h.addWorkspace?.({ id, name: `workspace ${id}`, timeZone: 'Asia/Shanghai' });
  for (const [id, workspaceId] of [
    ['1', '1'],
    ['2', '1'],
    ['3', '1'],
    ['4', '2'],
  ] as const) {
    await h.addTag?.({ id, workspaceId, name: `tag ${id}`, parentId: null });
  }
}

export interface SeedContact {
  id: string;
  workspaceId?: string;
  tags?: string[];
  /** Minutes after t0; undefined: never active. */
  activeAt?: number;
  kinds?: ('phone' | 'email')[];
  suppressions?: SuppressionReason[];
  /** Attribute fields, as they go into `makeContact`. */
  fields?: Partial<Pick<Contact, 'province' | 'city' | 'district' | 'device' | 'attributes'>>;
}

export async function seedContacts(h: StoreHarness, contacts: SeedContact[]): Promise<void> {
  for (const c of contacts) {
    const identities = (c.kinds ?? ['phone']).map((kind) =>
      kind === 'phone'
        ? { kind, value: `+86138${c.id.padStart(8, '0')}` }
        : { kind, value: `c${c.id}@example.com` },
    );
    await h.addContact(
      makeContact(
        {
          id: c.id,
          workspaceId: c.workspaceId ?? '1',
          tagIds: c.tags ?? [],
          lastActiveAt: c.activeAt === undefined ? null : at(c.activeAt * 60_000),
          ...c.fields,
        },
        identities,
      ),
      c.suppressions ?? [],
    );
  }
}

export async function seedCampaign(
  h: StoreHarness,
  overrides: Partial<Campaign> & { id: string },
): Promise<Campaign> {
  const campaign = makeCampaign({
    channelPlan: [{ channel: 'channel:a' }, { channel: 'channel:b' }],
    ...overrides,
  });
  await h.addCampaign(campaign);
  return campaign;
}

export function transition(
  campaignId: string,
  from: CampaignState,
  to: CampaignState,
  ms = 0,
): CampaignTransition {
  return { workspaceId: '1', campaignId, from, to, actor, at: at(ms) };
}

/** One channel `channel:a` on phones, batches of 2, due every minute. */
export function makePlan(campaignId: string, overrides: Partial<CampaignPlan> = {}): CampaignPlan {
  return {
    workspaceId: '1',
    campaignId,
    audience: { all: true },
    suppress: ['unsubscribed', 'blacklisted', 'complained', 'erased'],
    variantSeed: 12345,
    variants: [{ id: `${campaignId}01`, fromBucket: 0, toBucket: 10_000 }],
    channels: [{ channel: 'channel:a', identityKinds: ['phone'], batchSize: 2, accounts: [] }],
    firstDueAt: t0,
    batchIntervalMs: 60_000,
    ...overrides,
  };
}

/** Claims every batch of running campaigns, in due order, as one worker at a far-off time. */
export async function claimAll(h: StoreHarness, owner = 'w1'): Promise<ClaimedBatch[]> {
  const far = at(365 * 24 * 3_600_000);
  const claimed: ClaimedBatch[] = [];
  for (const ref of await h.store.dueBatches(far, 10_000)) {
    const batch = await h.store.claimBatch({ batchId: ref.id, owner, now: far, leaseMs: 60_000 });
    if (batch) claimed.push(batch);
  }
  return claimed;
}

/**
 * Settles a claimed batch at +1 s with every recipient sent on `channel:a` under the provider
 * message id `providerMessageId` gives it.
 */
export async function settleAllSent(
  h: StoreHarness,
  claimed: ClaimedBatch,
  providerMessageId: (r: ClaimedBatch['recipients'][number]) => string,
): Promise<void> {
  await h.store.settleBatch({
    batchId: claimed.batch.id,
    leaseOwner: 'w1',
    at: at(1000),
    batchState: 'done',
    results: claimed.recipients.map((r) => ({
      deliveryId: r.deliveryId,
      state: 'sent',
      attempt: {
        channel: 'channel:a',
        account: null,
        status: 'sent',
        providerMessageId: providerMessageId(r),
        failureClass: null,
        error: null,
      },
    })),
  });
}
