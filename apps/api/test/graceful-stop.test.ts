import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildProcesses } from './support/child-processes.js';
import { withMigratedPglite } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `pnpm --filter @qunfa/api start` in a process group of its own, as a terminal runs it. */
function pnpmStart(env: Record<string, string>): Started {
  const child = spawn('pnpm', ['--filter', '@qunfa/api', 'start'], {
    cwd: apiDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => log, exited };
}

async function until<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stopping the server', () => {
  // A copy of a migrated PGlite folder: the subject is the stop, not a new folder's initdb
  // (pglite-new-folder.test.ts); the demo is seeded into it as into a new one.
  const dir = withMigratedPglite(mkdtempSync(join(tmpdir(), 'qunfa-stop-')));
  const processes = new ChildProcesses();
  afterAll(async () => {
    await processes.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl-C on `pnpm start` drains the batch in flight, closes everything and exits 0', async () => {
    const server = pnpmStart({
      DATA_DIR: dir,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'info',
    });
    try {
      const url = await until(
        async () => /Qunfa is running at (http:\/\/\S+)/.exec(server.output())?.[1],
        (u) => u !== undefined || server.child.exitCode !== null,
        'the server to start',
        180_000,
      );
      expect(url, server.output()).toBeDefined();
      const key = readFileSync(join(dir, 'demo-api-key'), 'utf8').trim();
      await gqlOk(url!, key, 'mutation { startCampaign(id: "1") { state } }');
      await until(
        () =>
          gqlOk<{ campaign: { counters: { sent: number } } }>(
            url!,
            key,
            '{ campaign(id: "1") { counters { sent } } }',
          ),
        (v) => v.campaign.counters.sent > 0,
        'the first batch',
      );
      // A terminal's Ctrl-C: SIGINT to the whole group (pnpm, node, esbuild), which pnpm relays again.
      process.kill(-server.child.pid!, 'SIGINT');
      expect(await server.exited).toBe(0);
    } finally {
      if (server.child.exitCode === null) process.kill(-server.child.pid!, 'SIGKILL');
    }
    const output = server.output();
    expect(output).toContain('"message":"stopped"');
    expect(output).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);

    // Nothing was left leased: a process on the same data, without a worker, finds no delivery in flight.
    const again = processes.spawn('serve', { DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', WORKER: 'off' });
    const url = await processes.urlOf(again, 180_000);
    const key = readFileSync(join(dir, 'demo-api-key'), 'utf8').trim();
    const { campaign } = await gqlOk<{ campaign: { counters: { submitted: number; sent: number } } }>(
      url,
      key,
      '{ campaign(id: "1") { counters { submitted sent } } }',
    );
    expect(campaign.counters).toMatchObject({ submitted: 0 });
    expect(campaign.counters.sent).toBeGreaterThan(0);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 600_000);
});
