import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

/** A store of committed values that commits a group all or none, and refuses "bad" inputs. */
function fakeStore() {
  const committed: string[] = [];
  const commits: string[][] = [];
  let down = false;
  return {
    committed,
    commits,
    setDown(value: boolean) {
      down = value;
    },
    async commit(inputs: string[]): Promise<string[]> {
      commits.push(inputs);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (down) throw new Error('connection lost');
      if (inputs.some((i) => i.startsWith('bad'))) throw new Error('check violation');
      committed.push(...inputs);
      return inputs.map((i) => `ok:${i}`);
    },
  };
}

describe('group commit', () => {
  it('commits calls that arrive together in one group, each answered with its own result', async () => {
    const store = fakeStore();
    const commits = createGroupCommit({ commit: (i: string[]) => store.commit(i) });
    const first = commits.submit('a');
    // Arrive while the first commits: they wait and go together.
    await new Promise((resolve) => setTimeout(resolve, 1));
    const rest = ['b', 'c', 'd'].map((i) => commits.submit(i));
    expect(await Promise.all([first, ...rest])).toEqual(['ok:a', 'ok:b', 'ok:c', 'ok:d']);
    expect(store.commits).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('answers nothing before its commit, and a failed group is tried again call by call', async () => {
    const store = fakeStore();
    const commits = createGroupCommit({ commit: (i: string[]) => store.commit(i) });
    const answered: string[] = [];
    const calls = ['a', 'bad', 'c'].map((i) =>
      commits.submit(i).then(
        (r) => {
          // Acknowledged only once committed.
          expect(store.committed).toContain(i);
          answered.push(r);
          return r;
        },
        (e: Error) => `refused:${e.message}`,
      ),
    );
    expect(await Promise.all(calls)).toEqual(['ok:a', 'refused:check violation', 'ok:c']);
    expect(store.commits).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(store.committed).toEqual(['a', 'c']);
  });

  it('refuses every call of a commit that cannot happen, and acknowledges none', async () => {
    const store = fakeStore();
    const commits = createGroupCommit({ commit: (i: string[]) => store.commit(i) });
    store.setDown(true);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((i) => commits.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(store.committed).toEqual([]);
    store.setDown(false);
    expect(await commits.submit('a')).toBe('ok:a');
  });

  it('runs `after` once per commit before answering, its failure each call’s error, not retried', async () => {
    const store = fakeStore();
    let afters = 0;
    const commits = createGroupCommit({
      commit: (i: string[]) => store.commit(i),
      after: async (inputs: string[]) => {
        afters++;
        if (inputs.includes('x')) throw new Error('publish failed');
      },
    });
    const results = await Promise.allSettled(['x', 'y'].map((i) => commits.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // Committed once: the failure came after the commit, which stands.
    expect(store.commits).toEqual([['x', 'y']]);
    expect(afters).toBe(1);
  });

  it('keeps a group within maxGroup by the size of its inputs, and at most maxInFlight commits', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const commits = createGroupCommit({
      commit: async (inputs: number[]) => {
        running++;
        most = Math.max(most, running);
        sizes.push(inputs.reduce((a, b) => a + b, 0));
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        return inputs;
      },
      sizeOf: (n: number) => n,
      maxGroup: 10,
      maxInFlight: 2,
    });
    await Promise.all([4, 4, 4, 4, 4, 12, 1].map((n) => commits.submit(n)));
    await commits.idle();
    expect(Math.max(...sizes.filter((s) => s !== 12))).toBeLessThanOrEqual(10);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(33);
    expect(most).toBe(2);
  });
});
