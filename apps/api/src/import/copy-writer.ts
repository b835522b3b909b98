import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Db } from '../db/database.js';
import { type CopyTarget, TARGETS } from './staging.js';

/**
 * COPY text (and the few statements an import runs while reading) waiting for the
 * connection, in characters, before `send` makes the reader wait: about 16 MB of text.
 */
const HIGH_WATER = 8 << 20;
/** The reader goes on once the queue is this short again. */
const LOW_WATER = 2 << 20;

type Job =
  | { text: string; target: CopyTarget }
  | { statement: () => Promise<unknown>; resolve(value: unknown): void; reject(error: Error): void };

/**
 * Streams COPY text into its target tables with `COPY … FROM STDIN` — through postgres.js's
 * COPY stream on PostgreSQL, in chunks through PGlite's `/dev/blob` — behind the reader.
 *
 * Everything goes through one queue on the transaction's connection, in the order it was
 * sent: `send` queues a chunk and returns at once (`undefined`) while less than HIGH_WATER
 * characters wait, so Node parses the next rows while PostgreSQL writes the ones before.
 * One COPY runs at a time: text for another table ends the running one first, and a queued
 * `statement` runs with no COPY open. Until 2026-12-05 a switch between `contacts` and
 * `contact_identities` (every 256 KB of text) and every id reservation made the reader wait
 * for the server to finish the COPY before it: Node and the backend took turns instead of
 * working at once (1M rows, loaded machine: see bench/import).
 */
export function copyWriter(tx: Db) {
  const client = (tx as unknown as { session: { client: unknown } }).session.client as
    | { unsafe(query: string): Promise<unknown> & { writable(): Promise<Writable> } }
    | { query(query: string, params: unknown[], options: { blob: Blob }): Promise<unknown> };
  let stream: Writable | undefined;
  let open: CopyTarget | undefined;
  let done: Promise<void> | undefined;
  let written: Promise<void> = Promise.resolve();
  const jobs: Job[] = [];
  let queued = 0;
  let running: Promise<void> | undefined;
  let failure: Error | undefined;
  let waiting: { resolve(): void; reject(error: Error): void }[] = [];

  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const w of woken) failure ? w.reject(failure) : w.resolve();
  };

  async function write(text: string, target: CopyTarget): Promise<void> {
    if (!('unsafe' in client)) {
      await client.query(`COPY ${TARGETS[target]} FROM '/dev/blob'`, [], { blob: new Blob([text]) });
      return;
    }
    if (stream && open !== target) await endCopy();
    if (!stream) {
      const opened = await client.unsafe(`COPY ${TARGETS[target]} FROM STDIN`).writable();
      stream = opened;
      open = target;
      done = finished(opened);
      // Surfaces through `done`; without a listener an error event would crash the process.
      done.catch(() => undefined);
      // Aborted while the COPY was starting: fail it, so the transaction can roll back.
      if (failure) {
        opened.destroy(failure);
        throw failure;
      }
    }
    const into = stream;
    let ok = true;
    written = new Promise((resolve, reject) => {
      ok = into.write(text, (e) => (e ? reject(e) : resolve()));
    });
    written.catch(() => undefined);
    if (!ok) await Promise.race([once(into, 'drain'), done]);
  }

  /** Ends the running COPY, if any, once the server has taken all of it. */
  async function endCopy(): Promise<void> {
    if (!stream || !('unsafe' in client)) return;
    try {
      // postgres.js never finishes the stream when COPY fails after its last chunk (the
      // error reaches a query that has already resolved). So: once every chunk is on the
      // wire and the stream has ended (its final step runs on the next tick), a statement
      // queued behind the COPY settles either way, and fails when the COPY aborted the
      // transaction.
      await written;
      stream.end();
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([done, client.unsafe('SELECT 1')]);
    } catch (error) {
      throw new Error(`staging the rows failed: ${(error as Error).message}`, { cause: error });
    } finally {
      stream = undefined;
    }
  }

  async function pump(): Promise<void> {
    while (jobs.length > 0 && !failure) {
      const job = jobs[0]!;
      try {
        if ('text' in job) await write(job.text, job.target);
        else {
          await endCopy();
          job.resolve(await job.statement());
        }
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        if (!('text' in job)) job.reject(failure);
        break;
      }
      jobs.shift();
      if ('text' in job) {
        queued -= job.text.length;
        if (queued <= LOW_WATER) wake();
      }
    }
    if (failure) {
      for (const job of jobs) if (!('text' in job)) job.reject(failure);
      jobs.length = 0;
      queued = 0;
      wake();
    }
  }
  const kick = () => {
    running ??= pump().finally(() => {
      running = undefined;
      if (jobs.length > 0 && !failure) kick();
    });
  };
  /** Every queued job done (or the queue failed). */
  async function settled(): Promise<void> {
    while (running) await running;
    if (failure) throw failure;
  }

  return {
    /**
     * Queues a chunk of COPY text (whole lines) for `target`. Returns a promise only when the
     * reader must wait (the queue is full, until it is short again) or the writing failed.
     */
    send(text: string, target: CopyTarget = 'rows'): Promise<void> | undefined {
      if (failure) return Promise.reject(failure);
      jobs.push({ text, target });
      queued += text.length;
      kick();
      if (queued <= HIGH_WATER) return undefined;
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    /** Runs a statement after everything queued before it, with no COPY open. */
    statement<T>(run: () => Promise<T>): Promise<T> {
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        jobs.push({ statement: run, resolve: resolve as (v: unknown) => void, reject });
        kick();
      });
    },
    /** Writes everything queued and ends the running COPY: the transaction is free for other statements. */
    async pause(): Promise<void> {
      await settled();
      await endCopy();
    },
    /**
     * Fails the running COPY, if any, after reading failed (an upload cut off, a stop): the
     * connection leaves COPY mode, so the transaction can roll back instead of waiting forever.
     */
    async abort(error: Error): Promise<void> {
      failure ??= error;
      const failing = stream;
      stream = undefined;
      failing?.destroy(error);
      await running?.catch(() => undefined);
      await done?.catch(() => undefined);
    },
  };
}
