import type { Clock } from '../ports/clock.js';
import type { BatchJob, Consumer, Queue } from '../ports/queue.js';
import { systemClock } from './clock.js';

export interface MemoryQueueOptions {
  /** Time source for due times. Default: the system clock. */
  clock?: Clock;
  /** Wait before a job whose handler threw runs again, in ms. Default 1000. */
  retryDelayMs?: number;
}

/**
 * Delayed batch jobs in one process; the job id is the batch id. Due jobs go out by step, the
 * latest first, then by due time (as the BullMQ queue's priorities order them).
 */
export class MemoryQueue implements Queue {
  private waiting = new Map<string, BatchJob>();
  private running = new Set<string>();
  private readonly clock: Clock;
  private readonly retryDelayMs: number;
  private wakeUp: (() => void) | undefined;
  private consumers = new Set<Consumer>();

  constructor(options: MemoryQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  async enqueue(jobs: BatchJob[]): Promise<void> {
    for (const job of jobs) {
      if (this.waiting.has(job.batchId) || this.running.has(job.batchId)) continue;
      this.waiting.set(job.batchId, { ...job });
    }
    this.notify();
  }

  /** Jobs waiting, due or not. */
  jobs(): BatchJob[] {
    return [...this.waiting.values()];
  }

  /** Takes the due jobs off the queue, as a consumer would: for driving a test step by step. */
  takeDue(limit = Number.POSITIVE_INFINITY): BatchJob[] {
    const due = this.dueJobs().slice(0, limit);
    for (const job of due) this.waiting.delete(job.batchId);
    return due;
  }

  consume(handler: (job: BatchJob) => Promise<void>, options: { concurrency: number }): Consumer {
    const controller = new AbortController();
    const active = new Set<Promise<void>>();
    const run = async (job: BatchJob) => {
      this.running.add(job.batchId);
      try {
        await handler(job);
      } catch {
        this.running.delete(job.batchId);
        const dueAt = new Date(this.clock.now().getTime() + this.retryDelayMs);
        if (!this.waiting.has(job.batchId)) this.waiting.set(job.batchId, { ...job, dueAt });
      } finally {
        this.running.delete(job.batchId);
        this.notify();
      }
    };
    const loop = async () => {
      while (!controller.signal.aborted) {
        const free = options.concurrency - active.size;
        for (const job of free > 0 ? this.takeDue(free) : []) {
          const task = run(job).finally(() => active.delete(task));
          active.add(task);
        }
        await this.waitForWork(controller.signal, active.size >= options.concurrency);
      }
    };
    const looping = loop();
    const consumer: Consumer = {
      stop: async () => {
        controller.abort();
        this.notify();
        await looping;
        await Promise.all(active);
        this.consumers.delete(consumer);
      },
    };
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.waiting.clear();
  }

  private dueJobs(): BatchJob[] {
    const now = this.clock.now().getTime();
    return [...this.waiting.values()]
      .filter((job) => job.dueAt.getTime() <= now)
      .sort((a, b) => (b.step ?? 0) - (a.step ?? 0) || a.dueAt.getTime() - b.dueAt.getTime());
  }

  private notify(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  /** Until a job is added or finishes, or the next waiting job falls due. */
  private async waitForWork(signal: AbortSignal, full: boolean): Promise<void> {
    if (signal.aborted) return;
    const notified = new Promise<void>((resolve) => {
      const previous = this.wakeUp;
      this.wakeUp = () => {
        previous?.();
        resolve();
      };
    });
    let next = Number.POSITIVE_INFINITY;
    for (const job of this.waiting.values()) next = Math.min(next, job.dueAt.getTime());
    if (full || !Number.isFinite(next)) return notified;
    const timer = new AbortController();
    const onAbort = () => timer.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    await Promise.race([
      notified,
      this.clock.sleep(Math.max(0, next - this.clock.now().getTime()), timer.signal).catch(() => {}),
    ]);
    timer.abort();
    signal.removeEventListener('abort', onAbort);
  }
}
