import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchJob, Consumer, Queue } from '../ports/queue.js';
import { eventually, type PortHarness } from './port-harness.js';

const job = (batchId: string, dueInMs = 0, step?: number): BatchJob => ({
  batchId,
  campaignId: '1',
  workspaceId: '1',
  dueAt: new Date(Date.now() + dueInMs),
  ...(step !== undefined ? { step } : {}),
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `Queue` contract on real time. The harness's queues must run a job whose handler
 * threw again within a second or two. A fresh harness is made for each test.
 */
export function describeQueueContract(name: string, makeHarness: () => Promise<PortHarness<Queue>>): void {
  describe(`Queue contract: ${name}`, () => {
    let harness: PortHarness<Queue>;
    const consumers: Consumer[] = [];
    const runs = new Map<string, number>();
    const record = (j: BatchJob) => runs.set(j.batchId, (runs.get(j.batchId) ?? 0) + 1);
    /** Waits for a last job due now; with concurrency 1, everything due before it has run by then. */
    const barrier = async (queue: Queue, id = 'barrier') => {
      await queue.enqueue([job(id, 20)]);
      await eventually(() => runs.has(id), `job ${id}`);
    };

    beforeEach(async () => {
      harness = await makeHarness();
      runs.clear();
    });
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
      await harness.close();
    });

    it('runs each job once, ignoring a batch enqueued again while it waits', async () => {
      const queue = await harness.open();
      await queue.enqueue([job('a'), job('a'), job('b')]);
      await queue.enqueue([job('a'), job('b', 50)]);
      consumers.push(queue.consume(async (j) => void record(j), { concurrency: 1 }));
      await barrier(queue);
      expect(Object.fromEntries(runs)).toEqual({ a: 1, b: 1, barrier: 1 });
    });

    it('ignores a batch enqueued while it runs, and runs it again once enqueued after', async () => {
      const queue = await harness.open();
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      consumers.push(
        queue.consume(
          async (j) => {
            record(j);
            if (j.batchId === 'a' && runs.get('a') === 1) await held;
          },
          { concurrency: 1 },
        ),
      );
      await queue.enqueue([job('a')]);
      await eventually(() => runs.get('a') === 1, 'the first run');
      await queue.enqueue([job('a')]);
      release();
      await barrier(queue, 'barrier-1');
      expect(runs.get('a')).toBe(1);
      // Enqueueing is idempotent, so asking until the finished job's id is free again is safe.
      for (let i = 0; i < 400 && runs.get('a') === 1; i++) {
        await queue.enqueue([job('a')]);
        await pause(5);
      }
      await eventually(() => runs.get('a') === 2, 'the second run');
      await barrier(queue, 'barrier-2');
      expect(runs.get('a')).toBe(2);
    });

    it('does not run a delayed job before it is due', async () => {
      const queue = await harness.open();
      const ranAt = new Map<string, number>();
      consumers.push(queue.consume(async (j) => void ranAt.set(j.batchId, Date.now()), { concurrency: 2 }));
      const late = job('late', 400);
      const now = job('now');
      await queue.enqueue([late, now]);
      await eventually(() => ranAt.has('late'), 'the delayed job');
      expect(ranAt.get('late')!).toBeGreaterThanOrEqual(late.dueAt.getTime());
      expect(ranAt.get('now')!).toBeLessThan(late.dueAt.getTime());
    });

    it('hands the job its batch, campaign, workspace and due time', async () => {
      const queue = await harness.open();
      const seen: BatchJob[] = [];
      consumers.push(queue.consume(async (j) => void seen.push(j), { concurrency: 1 }));
      const sent = { ...job('x'), campaignId: '7', workspaceId: '3' };
      await queue.enqueue([sent]);
      await eventually(() => seen.length === 1, 'the job');
      expect(seen[0]).toEqual(sent);
      expect(seen[0]!.dueAt).toBeInstanceOf(Date);
    });

    it('hands out the due jobs of a later plan step before the older backlog of an earlier one', async () => {
      const queue = await harness.open();
      const order: string[] = [];
      // Overdue for a second on step 0; the later steps' jobs fell due after them, step 2's last.
      await queue.enqueue(
        Array.from({ length: 12 }, (_, i) => job(`a${i}`, -1000 + i, i % 2 === 0 ? 0 : undefined)),
      );
      await queue.enqueue([job('b0', -10, 1), job('b1', -5, 1)]);
      await queue.enqueue([job('c', -1, 2)]);
      consumers.push(queue.consume(async (j) => void order.push(j.batchId), { concurrency: 1 }));
      await eventually(() => order.length === 15, 'fifteen jobs');
      expect(order.slice(0, 3)).toEqual(['c', 'b0', 'b1']);
    });

    it('hands out a job of a later step that falls due while an earlier step has a backlog', async () => {
      const queue = await harness.open();
      const order: string[] = [];
      await queue.enqueue(Array.from({ length: 30 }, (_, i) => job(`a${i}`, 0, 0)));
      await queue.enqueue([job('b', 150, 1)]);
      // 30 ms a job: the backlog lasts 900 ms at least, however slow the machine.
      consumers.push(
        queue.consume(
          async (j) => {
            order.push(j.batchId);
            await pause(30);
          },
          { concurrency: 1 },
        ),
      );
      await eventually(() => order.length === 31, 'thirty-one jobs');
      expect(order.indexOf('b')).toBeLessThan(20);
      // Within a step, the order they were enqueued in (all due at once).
      expect(order.filter((id) => id !== 'b')).toEqual(Array.from({ length: 30 }, (_, i) => `a${i}`));
    });

    it('runs a job again after its handler threw', async () => {
      const queue = await harness.open();
      consumers.push(
        queue.consume(
          async (j) => {
            record(j);
            if (runs.get(j.batchId) === 1) throw new Error('handler failed');
          },
          { concurrency: 1 },
        ),
      );
      await queue.enqueue([job('a')]);
      await eventually(() => runs.get('a') === 2, 'the retry');
    });

    it('keeps to its concurrency', async () => {
      const queue = await harness.open();
      let active = 0;
      let peak = 0;
      consumers.push(
        queue.consume(
          async (j) => {
            active++;
            peak = Math.max(peak, active);
            await pause(40);
            active--;
            record(j);
          },
          { concurrency: 3 },
        ),
      );
      await queue.enqueue(Array.from({ length: 12 }, (_, i) => job(`j${i}`)));
      await eventually(() => runs.size === 12, 'twelve jobs');
      expect(peak).toBe(3);
    });

    it('shares the jobs between consumers on different handles, each job run once', async () => {
      const [one, two] = [await harness.open(), await harness.open()];
      consumers.push(one.consume(async (j) => void record(j), { concurrency: 2 }));
      consumers.push(two.consume(async (j) => void record(j), { concurrency: 2 }));
      // Each id enqueued once, half through each handle: dedup covers jobs waiting or running,
      // not jobs already finished, so enqueueing the same ids twice here would race completion.
      const jobs = Array.from({ length: 40 }, (_, i) => job(`j${i}`));
      await Promise.all([one.enqueue(jobs.slice(0, 20)), two.enqueue(jobs.slice(20))]);
      await eventually(() => runs.size === 40, 'forty jobs');
      await pause(100);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
    });

    it('stops: waits for running handlers and takes no more jobs', async () => {
      const queue = await harness.open();
      let finished = false;
      const consumer = queue.consume(
        async (j) => {
          record(j);
          await pause(150);
          finished = true;
        },
        { concurrency: 1 },
      );
      await queue.enqueue([job('a')]);
      await eventually(() => runs.has('a'), 'the job to start');
      await consumer.stop();
      expect(finished).toBe(true);
      await queue.enqueue([job('b')]);
      await pause(200);
      expect(runs.has('b')).toBe(false);
    });
  });
}
