import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/cluster.js';
import { load1 } from './support/cpu-meter.js';
import {
  type EscalationPair,
  expectOnceOnAThenUndeliveredOnB,
  startEscalationPair,
} from './support/escalation-pair.js';

const RECIPIENTS = 400;
const RATE_A = 20;

describe('escalations beside a rate-limited first step (PostgreSQL + Redis, BullMQ, two worker slots)', () => {
  let pair: EscalationPair;
  beforeAll(async () => {
    pair = await startEscalationPair({ name: 'starve', recipients: RECIPIENTS, latencyMs: 5, rateA: RATE_A });
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it('sends escalations on B while A still waits for its rate tokens, and A keeps to its rate', async () => {
    const started = Date.now();
    const id = await pair.startCampaign('starve', 10);
    const { onA, onB } = pair;

    // Half of A out: escalations of the first quarter have been due for seconds by then.
    await waitFor(async () => onA().length >= RECIPIENTS / 2, 'half of A sent', 120_000);
    const bAtHalf = onB().length;
    const halfAt = Date.now() - started;
    await pair.completed(id, 180_000);
    const a = onA();
    const b = onB();
    const firstB = b[0]?.at;
    // The first escalation was due one second after the first send on A.
    const firstDue = a[0]!.at + 1000;
    console.log(
      `A half sent after ${halfAt} ms with B at ${bAtHalf}; first B send ${firstB === undefined ? '-' : firstB - firstDue} ms after the first escalation was due; A took ${a.at(-1)!.at - a[0]!.at} ms for ${a.length}; load ${load1()}`,
    );
    // Before: both worker slots slept in A's limiter waits and BullMQ hands jobs out in due order,
    // so B's due escalations sent nothing until A's last batch had been handed out.
    expect(bAtHalf).toBeGreaterThanOrEqual(RECIPIENTS / 8);

    expectOnceOnAThenUndeliveredOnB(pair, RECIPIENTS);
    // A kept to its rate: the bucket's burst (its rate, or a batch) and then RATE_A a second.
    expect(a.at(-1)!.at - a[0]!.at).toBeGreaterThanOrEqual(((RECIPIENTS - RATE_A) / RATE_A) * 1000 - 100);
  }, 240_000);
});
