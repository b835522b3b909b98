import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('.', import.meta.url));

describe('README: the WeCom calls it lists are the calls the channel makes', () => {
  it('lists exactly the /cgi-bin paths of the channel source (not its tests or its fake)', () => {
    const source = readdirSync(dir)
      .filter(
        (f) =>
          f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'fake-server.ts' && f !== 'test-support.ts',
      )
      .map((f) => readFileSync(`${dir}/${f}`, 'utf8'))
      .join('\n');
    const called = [...new Set([...source.matchAll(/'(\/cgi-bin\/[a-z_/]+)'/g)].map((m) => m[1]!))].sort();
    const readme = readFileSync(`${dir}/README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## WeCom API calls'), readme.indexOf('Callbacks handled ('));
    const listed = [...section.matchAll(/^\| `(\/cgi-bin\/[a-z_/]+)`/gm)].map((m) => m[1]!).sort();
    expect(listed).toEqual(called);
    expect(called.length).toBeGreaterThan(10);
  });
});
