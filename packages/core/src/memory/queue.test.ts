import { describe, expect, it } from 'vitest';
import type { BatchJob } from '../ports/queue.js';
import { FakeClock } from './clock.js';
import { MemoryQueue } from './queue.js';

const job = (batchId: string, dueAt: Date): BatchJob => ({
  batchId,
  campaignId: '1',
  workspaceId: '1',
  dueAt,
});

describe('MemoryQueue', () => {
  it('runs jobs once due, ignoring duplicates while waiting or running', async () => {
    const clock = new FakeClock();
    const queue = new MemoryQueue({ clock });
    const ran: string[] = [];
    let release: () => void = () => {};
    const consumer = queue.consume(
      async (j) => {
        ran.push(j.batchId);
        if (j.batchId === 'slow') await new Promise<void>((r) => (release = r));
      },
      { concurrency: 2 },
    );
    await queue.enqueue([
      job('a', clock.now()),
      job('a', clock.now()),
      job('later', new Date(clock.now().getTime() + 5000)),
    ]);
    await clock.advance(0);
    expect(ran).toEqual(['a']);
    await queue.enqueue([job('slow', clock.now())]);
    await clock.advance(0);
    await queue.enqueue([job('slow', clock.now())]);
    await clock.advance(4999);
    expect(ran).toEqual(['a', 'slow']);
    await clock.advance(1);
    expect(ran).toEqual(['a', 'slow', 'later']);
    release();
    await consumer.stop();
    expect(queue.jobs()).toEqual([]);
  });

  it('runs a job again after a failed handler', async () => {
    const clock = new FakeClock();
    const queue = new MemoryQueue({ clock, retryDelayMs: 1000 });
    let calls = 0;
    queue.consume(
      async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
      { concurrency: 1 },
    );
    await queue.enqueue([job('a', clock.now())]);
    await clock.advance(0);
    expect(calls).toBe(1);
    await clock.advance(1000);
    expect(calls).toBe(2);
    await queue.close();
  });

  it('keeps to its concurrency', async () => {
    const clock = new FakeClock();
    const queue = new MemoryQueue({ clock });
    let active = 0;
    let peak = 0;
    const consumer = queue.consume(
      async () => {
        active++;
        peak = Math.max(peak, active);
        await clock.sleep(100);
        active--;
      },
      { concurrency: 3 },
    );
    await queue.enqueue(Array.from({ length: 10 }, (_, i) => job(String(i), clock.now())));
    for (let i = 0; i < 5; i++) await clock.advance(100);
    expect(peak).toBe(3);
    expect(queue.jobs()).toEqual([]);
    await consumer.stop();
  });
});
