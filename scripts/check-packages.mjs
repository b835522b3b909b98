// Builds, packs and checks each publishable package as a registry would see it: publint on the
// packed files, @arethetypeswrong/cli on the tarball (ESM only: the packages ship no CommonJS).
// With no argument it checks them all, one after the other; with package folders, those (each
// package's `check:package` script passes its own, so turbo runs them beside the tests).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const given = process.argv.slice(2).map((dir) => resolve(dir));
const packages =
  given.length > 0 ? given : ['core', 'plugins', 'channels'].map((p) => join(root, 'packages', p));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });
let failed = 0;
for (const dir of packages) {
  const out = mkdtempSync(join(tmpdir(), 'qunfa-pack-'));
  try {
    run('pnpm', ['run', 'build'], dir);
    run('pnpm', ['pack', '--pack-destination', out], dir);
    const tarball = join(
      out,
      readdirSync(out).find((f) => f.endsWith('.tgz')),
    );
    run('pnpm', ['exec', 'publint', '--pack', 'pnpm', '--strict'], dir);
    run('pnpm', ['exec', 'attw', tarball, '--profile', 'esm-only'], dir);
  } catch {
    failed++;
    console.error(`✗ ${dir}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
process.exit(failed === 0 ? 0 : 1);
