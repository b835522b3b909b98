import { type BatchJob, type Clock, type Consumer, type Queue, systemClock } from '@qunfa/core';
import { Queue as BullQueue, type Job, Worker } from 'bullmq';
import { closeRedis, connectRedis, type RedisSettings, whenReady } from './redis-connection.js';

export interface BullmqQueueOptions extends RedisSettings {
  /** Queue name under the prefix. Default `batches`. */
  name?: string;
  /** Wait before a job whose handler threw runs again, in ms. Default 1000. */
  retryDelayMs?: number;
  /**
   * How long a consumer's hold on a running job lasts without renewal, in ms; a job whose
   * consumer died is handed out again after about this plus half of it. Default 30 000.
   * Keep it at or below the engine's lease so a dead worker's batch is offered again soon
   * after its lease expires.
   */
  lockMs?: number;
  /** Errors of the consumers' own Redis traffic (a handler's error is the engine's to report). */
  /** The time due times are measured against (delays are real milliseconds from its now). Default the system clock. */
  clock?: Pick<Clock, 'now'>;
  onError?: (error: Error) => void;
  /**
   * How long an enqueue waits for an unreachable Redis before it gives the jobs up, in ms.
   * Default 2000. Giving up loses nothing: the batches are in the database, and the workers'
   * tick offers due batches and expired leases again.
   */
  unavailableAfterMs?: number;
}

interface JobData {
  batchId: string;
  campaignId: string;
  workspaceId: string;
  /** ISO time: job data is JSON. */
  dueAt: string;
  step?: number;
}

/** Steps past this share its priority. */
const LAST_RANKED_STEP = 63;

/**
 * The BullMQ priority of a batch of plan step `step`: a later step's is lower, so handed out first
 * among the jobs due. Every job has one (1 to 64), because BullMQ hands out jobs without a
 * priority before all prioritized ones; a delayed job enters the prioritized set when due, by
 * priority and then in the order it got there.
 */
export const priorityOf = (step = 0) => LAST_RANKED_STEP + 1 - Math.min(Math.max(0, step), LAST_RANKED_STEP);

/** BullMQ refuses integer-looking and colon-carrying custom ids; batch ids are integers. */
export const jobIdOf = (batchId: string) => `batch-${batchId.replaceAll(':', '_')}`;

/**
 * Batch jobs in BullMQ, shared by every worker process on the same Redis. The job id is
 * derived from the batch id alone, so enqueueing a batch that is waiting, delayed or running
 * is ignored; finished jobs are removed at once so that a batch given back can be enqueued
 * again. Of the jobs due, a later plan step's go first (`priorityOf`); a job whose worker died
 * goes before them all (BullMQ puts it back in the list without priority). A handler that throws
 * is retried without end: the store's lease and start count decide whether a run does anything,
 * and when a batch is given up on.
 */
export function createBullmqQueue(options: BullmqQueueOptions): Queue {
  const name = options.name ?? 'batches';
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const lockMs = options.lockMs ?? 30_000;
  const unavailableAfterMs = options.unavailableAfterMs ?? 2000;
  const connection = connectRedis(options.url, `${options.prefix}:queue`, options.onError);
  const queue = new BullQueue<JobData>(name, { connection, prefix: options.prefix });
  const consumers = new Set<Consumer>();

  return {
    async enqueue(jobs: BatchJob[]) {
      if (jobs.length === 0) return;
      const unavailable = () =>
        options.onError?.(
          new Error(
            `Redis is unavailable: ${jobs.length} batch job(s) not queued now; the workers offer them again from the database`,
          ),
        );
      if (!(await whenReady(connection, unavailableAfterMs))) return unavailable();
      const now = (options.clock ?? systemClock).now().getTime();
      const adding = queue.addBulk(
        jobs.map((job) => ({
          name: 'batch',
          data: {
            batchId: job.batchId,
            campaignId: job.campaignId,
            workspaceId: job.workspaceId,
            dueAt: job.dueAt.toISOString(),
            ...(job.step !== undefined ? { step: job.step } : {}),
          },
          opts: {
            jobId: jobIdOf(job.batchId),
            delay: Math.max(0, job.dueAt.getTime() - now),
            priority: priorityOf(job.step),
            attempts: Number.MAX_SAFE_INTEGER,
            backoff: { type: 'fixed', delay: retryDelayMs },
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
      // A connection lost during the call would hold it until Redis is back: the caller (a
      // start, a tick) goes on; the add still lands then, or the tick offers the batches again.
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'gave up'>((resolve) => {
        timer = setTimeout(() => resolve('gave up'), unavailableAfterMs * 5);
      });
      adding.catch(() => {});
      const outcome = await Promise.race([adding, gaveUp]).finally(() => clearTimeout(timer));
      if (outcome === 'gave up') unavailable();
    },

    consume(handler, { concurrency }) {
      const workerConnection = connectRedis(options.url, `${options.prefix}:worker`, options.onError);
      const worker = new Worker<JobData>(
        name,
        async (job: Job<JobData>) => {
          const { dueAt, ...ids } = job.data;
          await handler({ ...ids, dueAt: new Date(dueAt) });
        },
        {
          connection: workerConnection,
          prefix: options.prefix,
          concurrency,
          lockDuration: lockMs,
          stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
          // A job whose worker died goes back to wait however often that happens; a batch that
          // kills its worker every time is stopped by the engine's start count, not here.
          maxStalledCount: Number.MAX_SAFE_INTEGER,
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 0 },
        },
      );
      worker.on('error', (error) => options.onError?.(error));
      const consumer: Consumer = {
        async stop() {
          consumers.delete(consumer);
          await worker.close();
          await closeRedis(workerConnection);
        },
      };
      consumers.add(consumer);
      return consumer;
    },

    async close() {
      await Promise.all([...consumers].map((c) => c.stop()));
      await queue.close();
      await closeRedis(connection);
    },
  };
}
