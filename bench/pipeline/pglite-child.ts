import { fileURLToPath } from 'node:url';
import { buildApp } from '@qunfa/api/src/app.js';
import { openDatabase } from '@qunfa/api/src/db/database.js';
import { DEFAULT_HEAP_GROWTH, limitHeapGrowth } from '@qunfa/api/src/ops/heap-growth.js';
import { silentLogger } from '@qunfa/core';
import { runCampaign } from './src/campaign.js';
import { measureFloor } from './src/floor.js';
import { memoryOf } from './src/rss.js';
import { seedContacts } from './src/seed.js';

const configModule = fileURLToPath(new URL('./bench.config.ts', import.meta.url));

/**
 * The PGlite leg, in a process of its own because PGlite lives inside the process that opens
 * it: `seed <dir> <count>` writes the contacts and measures the floor; `run <dir> <workspace>`
 * runs the campaign with the API's inline worker, as the embedded default does. Each prints
 * one JSON line.
 */
const [mode, dataDir, arg] = process.argv.slice(2) as [string, string, string];
// As `serve` on PGlite does (HEAP_GROWTH).
limitHeapGrowth(DEFAULT_HEAP_GROWTH);

if (mode === 'seed') {
  const database = await openDatabase({ dataDir: `${dataDir}/pglite` });
  const workspaceId = await seedContacts(database.db, Number(arg));
  const floor = await measureFloor(database.db, workspaceId);
  await database.close();
  process.stdout.write(`${JSON.stringify({ workspaceId, ...floor })}\n`);
} else {
  const app = await buildApp(
    {
      databaseUrl: undefined,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      worker: 'inline',
      workerConcurrency: 4,
      seedDemo: false,
      logLevel: 'silent',
      tickIntervalMs: 250,
      // The config as an operator's deployment loads it: the built-in rules and metrics plus its channel.
      pluginConfig: configModule,
      quietHours: 'off',
    },
    { logger: silentLogger, http: false },
  );
  await app.start();
  let peakMbAt100k = 0;
  const run = await runCampaign(app, Number(arg), (settled) => {
    if (peakMbAt100k === 0 && settled >= 100_000) peakMbAt100k = memoryOf(process.pid)?.peakMb ?? 0;
  });
  const peakMbAtEnd = memoryOf(process.pid)?.peakMb ?? 0;
  await app.stop();
  process.stdout.write(`${JSON.stringify({ ...run, peakMbAt100k, peakMbAtEnd })}\n`);
}
