// Builds, packs and checks each publishable package as a registry would see it: publint on the
// packed files, @arethetypeswrong/cli on the tarball (ESM only: the packages ship no CommonJS).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const packages = ['packages/core', 'packages/plugins', 'packages/channels'];
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
