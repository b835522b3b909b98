import { isQunfaError } from '@qunfa/core';
import { configFromEnv } from './config.js';

/** A bad plugin or config stops the start with one line naming the plugin, the option and the reason. */
function refuseToStart(error: unknown): never {
  if (!isQunfaError(error)) throw error;
  const { field, config } = error.details as { field?: unknown; config?: unknown };
  const lines = [
    `Qunfa did not start: ${error.message}`,
    `  code ${error.code}${error.plugin ? `, plugin ${error.plugin}` : ''}${typeof field === 'string' ? `, option ${field}` : ''}`,
    ...(typeof config === 'string' ? [`  config ${config}`] : []),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
}

/** `serve` (default): API, console and an inline worker. `worker`: a dispatch worker only. `import`: a CSV into a workspace. */
async function main(command = 'serve'): Promise<void> {
  const base = configFromEnv();
  // Each command loads only its own modules: the server's (GraphQL, channels, S3…) took 2.6 s
  // of CPU to load, as long as `qunfa import` spent reading 250,000 rows.
  if (command === 'import') {
    const { importCommand } = await import('./cli/import-command.js');
    process.exit(await importCommand(process.argv.slice(3), base));
  }
  if (command === 'archive') {
    const { archiveCommand } = await import('./cli/archive-command.js');
    process.exit(await archiveCommand(process.argv.slice(3), base));
  }
  if (command === 'workspace' || command === 'member' || command === 'key') {
    const { tenancyCommand } = await import('./cli/tenancy-command.js');
    process.exit(await tenancyCommand(command, process.argv.slice(3), base));
  }
  if (command !== 'serve' && command !== 'worker') {
    process.stderr.write(
      `unknown command "${command}": use serve, worker, import, archive, workspace, member or key\n`,
    );
    process.exit(2);
  }
  if (command === 'worker' && !base.databaseUrl) {
    process.stderr.write(
      'The worker command shares the database with the API: set DATABASE_URL (PGlite is one process only).\n',
    );
    process.exit(2);
  }
  const config = command === 'worker' ? { ...base, worker: 'inline' as const } : base;
  // First, so that loading the modules already yields the cores to the API (WORKER_NICE).
  if (command === 'worker' && (config.workerNice ?? 0) > 0) {
    const { lowerCpuPriority } = await import('./ops/cpu-priority.js');
    lowerCpuPriority(config.workerNice!);
  }
  // A worker, and a server holding PGlite (the database, imports and the audience index in one
  // process). Before the modules load: the limit V8 sets at a full collection holds until the next.
  if (command === 'worker' || !config.databaseUrl) {
    const { DEFAULT_HEAP_GROWTH, limitHeapGrowth } = await import('./ops/heap-growth.js');
    limitHeapGrowth(config.heapGrowth ?? DEFAULT_HEAP_GROWTH);
  }
  const [{ buildApp }, { seedDemo }, { stopOnSignals }] = await Promise.all([
    import('./app.js'),
    import('./seed.js'),
    import('./shutdown.js'),
  ]);
  const app = await buildApp(config, { http: command === 'serve' }).catch(refuseToStart);
  const url = await app.start();
  if (command === 'serve') {
    const demo = config.seedDemo ? await seedDemo(app.deps, config.dataDir) : undefined;
    const lines = [
      '',
      `  Qunfa is running at ${url}`,
      `    console  ${url}/`,
      `    GraphQL  ${url}/graphql   (GraphiQL in a browser)`,
      `    database ${app.database.driver === 'pglite' ? `PGlite in ${config.dataDir}/pglite` : 'PostgreSQL'}`,
      `    worker   ${config.worker === 'inline' ? 'in this process' : 'off (run `pnpm worker`)'}`,
      ...(demo
        ? [
            `  Demo API key (admin):    ${demo.apiKey}`,
            ...(demo.approverKey ? [`  Demo API key (approver): ${demo.approverKey}`] : []),
            `    kept in ${demo.keyFile}${demo.approverKey ? ` and ${demo.approverKeyFile}` : ''}`,
          ]
        : []),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    process.stdout.write(
      `Qunfa worker running${url ? ` (health: ${url}/healthz, ${url}/readyz)` : ''}; Ctrl-C to stop.\n`,
    );
  }
  stopOnSignals({
    stop: () => app.stop(),
    deadlineMs: config.stopTimeoutMs ?? 15_000,
    logger: app.deps.logger,
  });
}

await main(process.argv[2]);
