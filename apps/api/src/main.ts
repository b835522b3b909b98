import { isQunfaError } from '@qunfa/core';
import { buildApp } from './app.js';
import { archiveCommand } from './cli/archive-command.js';
import { importCommand } from './cli/import-command.js';
import { tenancyCommand } from './cli/tenancy-command.js';
import { configFromEnv } from './config.js';
import { seedDemo } from './seed.js';
import { stopOnSignals } from './shutdown.js';

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
  if (command === 'import') process.exit(await importCommand(process.argv.slice(3), base));
  if (command === 'archive') process.exit(await archiveCommand(process.argv.slice(3), base));
  if (command === 'workspace' || command === 'member' || command === 'key') {
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
