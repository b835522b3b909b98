import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { printedSchema } from './index.js';

it('matches the committed apps/api/schema.graphql (run `pnpm --filter @qunfa/api schema:print` after a change)', () => {
  const committed = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');
  expect(printedSchema()).toBe(committed);
});
