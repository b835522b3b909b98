import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load1 } from './support/cpu-meter.js';
import {
  type EscalationPair,
  expectOnceOnAThenUndeliveredOnB,
  startEscalationPair,
} from './support/escalation-pair.js';

const RECIPIENTS = 200;

describe('escalations beside a backlog of the first step (PostgreSQL + Redis, BullMQ, two worker slots)', () => {
  let pair: EscalationPair;
  beforeAll(async () => {
    // 40 ms a call and batches of 2 on A: its 100 batches, all due at the start, take 2 s and more.
    pair = await startEscalationPair({ name: 'backlog', recipients: RECIPIENTS, latencyMs: 40 });
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it("sends escalations on B while A's overdue batches still wait, each recipient once a channel", async () => {
    const id = await pair.startCampaign('backlog', 2);
    await pair.completed(id, 120_000);
    const a = pair.onA();
    const firstB = pair.onB()[0]!.at;
    const aBeforeB = a.filter((m) => m.at < firstB).length;
    console.log(
      `first B send ${firstB - (a[0]!.at + 1000)} ms after the first escalation was due, with ${aBeforeB} of ${a.length} sent on A; A took ${a.at(-1)!.at - a[0]!.at} ms; load ${load1()}`,
    );
    // Before: the escalation batches were handed out after every overdue batch of A, so B's first
    // send came after A's last. The escalations fall due 1 s in, A's backlog takes 2 s at least.
    expect(aBeforeB).toBeLessThan((RECIPIENTS * 3) / 4);
    expectOnceOnAThenUndeliveredOnB(pair, RECIPIENTS);
  }, 180_000);
});
