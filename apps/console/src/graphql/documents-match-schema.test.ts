import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  type DocumentNode,
  NoUnusedFragmentsRule,
  print,
  specifiedRules,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';

const schemaPath = fileURLToPath(new URL('../../../api/schema.graphql', import.meta.url));
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));

// Every module that holds documents: `*-documents.ts`, `*-query.ts` and the shared fragments.
const modules = import.meta.glob<Record<string, unknown>>(
  ['../**/*-documents.ts', '../**/*-query.ts', './fragments.ts'],
  { eager: true },
);

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === 'object' && value !== null && (value as DocumentNode).kind === 'Document';
}

const documents = Object.entries(modules).flatMap(([file, exports]) =>
  Object.entries(exports)
    .filter(([, value]) => isDocument(value))
    .map(([name, value]) => [`${file}#${name}`, value as DocumentNode] as const),
);

describe('GraphQL documents', () => {
  it('are found', () => {
    expect(documents.length).toBeGreaterThan(15);
  });

  it.each(documents)('%s matches the committed schema', (_name, document) => {
    const operation = document.definitions.some((d) => d.kind === 'OperationDefinition');
    // A fragment on its own is checked for its fields; operations must use all they carry.
    const rules = operation
      ? specifiedRules
      : specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);
    const errors = validate(schema, document, rules).map((error) => error.message);
    expect(errors, print(document)).toEqual([]);
  });

  it('are typed from the current schema (graphql-env.d.ts is regenerated)', () => {
    const output = join(mkdtempSync(join(tmpdir(), 'qunfa-tada-')), 'graphql-env.d.ts');
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    execFileSync('pnpm', ['exec', 'gql.tada', 'generate', 'output', '--output', output], {
      cwd,
      stdio: 'pipe',
    });
    const committed = readFileSync(fileURLToPath(new URL('./graphql-env.d.ts', import.meta.url)), 'utf8');
    expect(readFileSync(output, 'utf8'), 'run: pnpm --filter @qunfa/console graphql:types').toBe(committed);
  }, 60_000);
});
