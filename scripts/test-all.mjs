#!/usr/bin/env node
// The repository's test command (`pnpm test`): the API's suite — by far the longest task, ~15 minutes
// of three Vitest workers — starts first, beside everything else run one task at a time.
//
// One `turbo run … --concurrency=2` over every task started the API's suite last: its dependency
// (the console's build, which waited on every package's build) became ready after the smaller
// packages' tests and type checks had taken both slots, ~5 minutes into a CI run, and the run lasted
// the API suite plus those minutes. Turbo has no task priorities, so the API suite gets its own turbo.
// Both halves always run to the end (`--continue`); the command fails when either failed.
import { spawn } from 'node:child_process';

const turbo = (args) =>
  new Promise((resolve) => {
    const child = spawn('turbo', ['run', ...args, '--continue'], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`turbo ${args.join(' ')}: ${error.message}`);
      resolve(1);
    });
  });

const runInOrder = async (...runs) => {
  let failed = 0;
  for (const args of runs) failed = (await turbo(args)) || failed;
  return failed;
};

const results = await Promise.all([
  turbo(['test', '--filter=@qunfa/api']),
  runInOrder(
    ['typecheck', 'test', 'check:package', '--filter=!@qunfa/api', '--concurrency=1'],
    ['typecheck', 'check:package', '--filter=@qunfa/api', '--concurrency=1'],
  ),
]);
const failed = results.some((code) => code !== 0);
console.log(failed ? 'test-all: a task failed (see above)' : 'test-all: every task passed');
process.exit(failed ? 1 : 0);
