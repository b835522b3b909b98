/** A queue carries ids and signals only; the store is the truth. */
export interface BatchJob {
  batchId: string;
  campaignId: string;
  workspaceId: string;
  /** Not before this time. */
  dueAt: Date;
}

export interface Consumer {
  /** Stops taking jobs and waits for running handlers. */
  stop(): Promise<void>;
}

export interface Queue {
  /** Enqueues jobs; a job whose batch id is already waiting or running is ignored (job id = batch id). */
  enqueue(jobs: BatchJob[]): Promise<void>;
  /**
   * Calls the handler for due jobs, at most `concurrency` at once. A handler that throws
   * lets the job run again later; the store's lease decides whether it does anything.
   */
  consume(handler: (job: BatchJob) => Promise<void>, options: { concurrency: number }): Consumer;
  close(): Promise<void>;
}
