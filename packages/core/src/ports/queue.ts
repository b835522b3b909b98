/** A queue carries ids and signals only; the store is the truth. */
export interface BatchJob {
  batchId: string;
  campaignId: string;
  workspaceId: string;
  /** Not before this time. */
  dueAt: Date;
  /**
   * The batch's step in its campaign's channel plan (0 the first; `planStepIndexOf`). Default 0.
   * Of the jobs due, a queue hands out those of a later step first, so that an escalation to
   * another channel does not wait behind an earlier step's backlog.
   */
  step?: number;
}

export interface Consumer {
  /** Stops taking jobs and waits for running handlers. */
  stop(): Promise<void>;
}

export interface Queue {
  /** Enqueues jobs; a job whose batch id is already waiting or running is ignored (job id = batch id). */
  enqueue(jobs: BatchJob[]): Promise<void>;
  /**
   * Calls the handler for due jobs, at most `concurrency` at once: of those due, a later step's
   * first, then (within a step) about in due order. A handler that throws lets the job run again
   * later; the store's lease decides whether it does anything.
   */
  consume(handler: (job: BatchJob) => Promise<void>, options: { concurrency: number }): Consumer;
  close(): Promise<void>;
}
