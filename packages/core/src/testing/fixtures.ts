import { type Campaign, defaultRetryPolicy } from '../domain/campaign.js';
import type { Contact, ContactIdentity } from '../domain/contact.js';

const epoch = new Date('2026-01-01T00:00:00.000Z');

/**
 * A draft campaign with one text variant on `channel:test`; override what a test needs.
 * The variant's id is unique across campaigns (`<campaign id>01`), as in any real database.
 */
export function makeCampaign(overrides: Partial<Campaign> & { id: string }): Campaign {
  return {
    workspaceId: '1',
    name: `campaign ${overrides.id}`,
    state: 'draft',
    audience: { all: true },
    variants: [
      { id: `${overrides.id}01`, key: 'A', weight: 1, content: { type: 'text', text: 'hello {{name}}' } },
    ],
    channelPlan: [{ channel: 'channel:test' }],
    channelMode: 'first',
    retryPolicy: { ...defaultRetryPolicy },
    scheduledAt: null,
    batchIntervalMs: 0,
    sendWindowMs: null,
    excludeDormant: false,
    quietHours: null,
    segmentId: null,
    resendOf: null,
    schedule: null,
    nextRunAt: null,
    runOf: null,
    abTest: null,
    abState: null,
    createdAt: epoch,
    updatedAt: epoch,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

/** A contact with a phone number derived from its id unless identities are given. */
export function makeContact(
  overrides: Partial<Contact> & { id: string },
  identities?: ContactIdentity[],
): Contact {
  return {
    workspaceId: '1',
    name: `contact ${overrides.id}`,
    identities: identities ?? [{ kind: 'phone', value: `+86138${overrides.id.padStart(8, '0')}` }],
    attributes: {},
    region: null,
    lastActiveAt: null,
    tagIds: [],
    createdAt: epoch,
    updatedAt: epoch,
    ...overrides,
  };
}
