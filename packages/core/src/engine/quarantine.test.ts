import { describe, expect, it } from 'vitest';
import { createQuarantine } from './quarantine.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('quarantine', () => {
  it('lets ordinary batches overlap, and runs a suspect batch with nothing else', async () => {
    const q = createQuarantine();
    const log: string[] = [];
    const job = async (name: string, alone: boolean) => {
      const release = await q.acquire(alone);
      log.push(`+${name}`);
      await tick();
      log.push(`-${name}`);
      release();
    };
    await Promise.all([job('a', false), job('b', false), job('suspect', true), job('c', false)]);
    const i = log.indexOf('+suspect');
    expect(log[i + 1]).toBe('-suspect');
    expect(log.slice(0, 2).sort()).toEqual(['+a', '+b']);
  });
});
