import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAudience } from '../domain/audience.js';
import type { SuppressionReason } from '../domain/contact.js';
import { makeContact } from '../testing/fixtures.js';
import { makePlan } from '../testing/store-contract-setup.js';
import { executePlan } from './execute-plan.js';

const reasons: SuppressionReason[] = ['unsubscribed', 'blacklisted', 'complained', 'erased'];

describe('executePlan', () => {
  it('accounts for every audience member once, in batches no larger than asked', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            tags: fc.subarray(['1', '2', '3']),
            phone: fc.boolean(),
            suppressed: fc.option(fc.constantFrom(...reasons), { nil: undefined }),
            active: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 7 }),
        (rows, batchSize) => {
          const contacts = rows.map((r, i) =>
            makeContact(
              {
                id: String(i + 1),
                tagIds: r.tags,
                lastActiveAt: r.active === undefined ? null : new Date(r.active * 1000),
              },
              r.phone ? undefined : [],
            ),
          );
          const audience = { or: [{ tag: '1' }, { not: { tag: '2' } }] };
          const plan = makePlan('1', { audience });
          plan.channels[0]!.batchSize = batchSize;
          const suppressed = (id: string) => {
            const reason = rows[Number(id) - 1]?.suppressed;
            return new Set(reason ? [reason] : []);
          };
          const { deliveries, batches, summary } = executePlan(plan, contacts, suppressed);
          const members = contacts.filter((c) => matchesAudience(audience, c, { asOf: plan.firstDueAt }));
          expect(summary.total).toBe(members.length);
          expect(new Set(deliveries.map((d) => d.contactId)).size).toBe(members.length);
          const suppressedCount = Object.values(summary.suppressed).reduce((a, b) => a + (b ?? 0), 0);
          expect(summary.queued + suppressedCount).toBe(summary.total);
          expect(batches.reduce((n, b) => n + b.size, 0)).toBe(summary.queued);
          expect(batches.every((b) => b.size >= 1 && b.size <= batchSize)).toBe(true);
          expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i));
        },
      ),
    );
  });
});
