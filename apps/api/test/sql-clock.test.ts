import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));

/** The database's own clock, which a server on CLOCK_OFFSET_MS (or a test's clock) disagrees with. */
const DATABASE_CLOCK =
  /\b(now\s*\(\s*\)|current_timestamp|clock_timestamp|statement_timestamp|transaction_timestamp|localtimestamp)/i;

/** Where the database's clock is still used, and why that is safe. Anything else takes the server's clock. */
const allowed: Record<string, string> = {
  'audience/audience-indexes.ts':
    'audience_changes are written and pruned by the database clock alone and read by transaction id',
  'auth/api-keys.ts': "an API key's last use, request bookkeeping no clock-driven path reads",
  'store/receipts-sql.ts': 'campaign_late_failures.marked_at, informational, never read',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The literal text of every sql`…` template in a file (nested ones included), without its ${…} parts. */
function sqlTexts(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const texts: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(file) === 'sql') {
      const t = node.template;
      texts.push(
        ts.isNoSubstitutionTemplateLiteral(t)
          ? t.text
          : [t.head.text, ...t.templateSpans.map((s) => s.literal.text)].join(' '),
      );
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return texts;
}

describe('SQL on the server clock', () => {
  it('no SQL the API, engine or worker runs reads the database clock, except where listed', () => {
    const found = sourceFiles(src).flatMap((path) =>
      sqlTexts(path)
        .filter((text) => DATABASE_CLOCK.test(text))
        .map(() => relative(src, path)),
    );
    expect(found.length).toBeGreaterThan(0);
    expect([...new Set(found)].filter((f) => !(f in allowed))).toEqual([]);
    // The list stays honest: every entry still needs its exception.
    expect(Object.keys(allowed).filter((f) => !found.includes(f))).toEqual([]);
  });
});
