/**
 * Group commit: calls that arrive while earlier ones are being committed wait, and go together
 * in the next commit: one transaction for many requests instead of one each. Nothing waits for
 * a timer: a call arriving when fewer than `maxInFlight` commits run starts one at once, so a
 * lone request costs what it did; under load, the group grows with the load.
 *
 * Each call is answered only after the commit that holds it: its own part of the result when
 * the commit succeeded, the error when it failed. When a commit of several calls fails, each is
 * committed again on its own, so one bad input fails its own call, not its neighbours'; a
 * failure every call hits (the database gone) fails them all, and none is acknowledged.
 */
export interface GroupCommit<I, O> {
  /** Committed with whatever else is waiting; resolves with this input's part of the result. */
  submit(input: I): Promise<O>;
  /** Every commit started so far has finished. */
  idle(): Promise<void>;
}

export interface GroupCommitOptions<I, O> {
  /** Commits the inputs in one transaction, all or none; one result per input, in order. */
  commit(inputs: I[]): Promise<O[]>;
  /**
   * Runs once per successful commit, before its calls are answered (progress nudges, follow-up
   * work). Its failure is each call's error; the commit is not tried again (it stands).
   */
  after?(inputs: I[], outputs: O[]): Promise<void>;
  /** Commits running at once. Default 1: the next group gathers while one commits (fewer, larger transactions: less CPU per event than two in flight, measured in bench/events). */
  maxInFlight?: number;
  /** Most inputs in one commit. Default 500. */
  maxGroup?: number;
  /** Size of an input (events it carries) for `maxGroup`. Default 1. */
  sizeOf?(input: I): number;
}

interface Waiting<I, O> {
  input: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>): GroupCommit<I, O> {
  const maxInFlight = options.maxInFlight ?? 1;
  const maxGroup = options.maxGroup ?? 500;
  const sizeOf = options.sizeOf ?? (() => 1);
  const waiting: Waiting<I, O>[] = [];
  const running = new Set<Promise<void>>();

  /** Answers the group once `after` has run: its outputs, or its error to every call. */
  const answer = async (group: Waiting<I, O>[], outputs: O[]) => {
    try {
      await options.after?.(
        group.map((w) => w.input),
        outputs,
      );
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    for (const [i, w] of group.entries()) w.resolve(outputs[i] as O);
  };

  const commitOne = async (w: Waiting<I, O>) => {
    let outputs: O[];
    try {
      outputs = await options.commit([w.input]);
    } catch (error) {
      return w.reject(error);
    }
    await answer([w], outputs);
  };

  const commitGroup = async (group: Waiting<I, O>[]) => {
    let outputs: O[];
    try {
      outputs = await options.commit(group.map((w) => w.input));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      // Rolled back as a whole: each again on its own, so only the ones that fail are refused.
      for (const w of group) await commitOne(w);
      return;
    }
    await answer(group, outputs);
  };

  const pump = () => {
    while (running.size < maxInFlight && waiting.length > 0) {
      let size = 0;
      let n = 0;
      while (n < waiting.length && (n === 0 || size + sizeOf(waiting[n]!.input) <= maxGroup)) {
        size += sizeOf(waiting[n]!.input);
        n++;
      }
      const group = waiting.splice(0, n);
      const done: Promise<void> = commitGroup(group).finally(() => {
        running.delete(done);
        pump();
      });
      running.add(done);
    }
  };

  return {
    submit(input) {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        // Started after the calls of this tick have queued, so that they share the commit.
        if (waiting.length === 1) queueMicrotask(pump);
      });
    },
    async idle() {
      while (running.size > 0 || waiting.length > 0) {
        await Promise.all([...running]);
        if (running.size === 0 && waiting.length > 0) pump();
      }
    },
  };
}
