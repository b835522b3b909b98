import { type FindingLevel, findingLevels, QunfaError } from '@qunfa/core';
import { builtinLexiconNames, lexiconFromTerms } from '@qunfa/plugins';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { type Db, rows } from '../db/database.js';
import { lexicons, lexiconTerms } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import type { ServiceDeps } from './deps.js';
import { actorOf } from './review-state.js';
import { conflictOr, parseId, validate } from './validate.js';

const terms = z.array(z.string().trim().min(1).max(100)).max(5000);

const createInput = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a kebab-case name'),
  level: z.enum(findingLevels),
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,62}$/, 'an UPPER_SNAKE code')
    .optional(),
  description: z.string().max(500).optional(),
  traditionalToSimplified: z.boolean().default(true),
  terms: terms.default([]),
  allow: terms.default([]),
});

const termsInput = z.object({ terms: terms.min(1), kind: z.enum(['term', 'allow']).default('term') });

export interface LexiconView {
  id: number;
  name: string;
  level: FindingLevel;
  code: string;
  description: string | null;
  traditionalToSimplified: boolean;
  terms: string[];
  allow: string[];
}

/** Bumps the workspace's lexicon revision in the change's transaction; returns the new one. */
async function bumpRevision(tx: Db, workspaceId: number): Promise<number> {
  const [row] = await rows<{ revision: number }>(
    tx,
    sql`INSERT INTO lexicon_revisions (workspace_id, revision) VALUES (${workspaceId}, 1)
        ON CONFLICT (workspace_id) DO UPDATE SET revision = lexicon_revisions.revision + 1
        RETURNING revision::int AS revision`,
  );
  return row!.revision;
}

async function view(db: Db, workspaceId: number, id?: number): Promise<LexiconView[]> {
  const found = await db
    .select()
    .from(lexicons)
    .where(and(eq(lexicons.workspaceId, workspaceId), id === undefined ? undefined : eq(lexicons.id, id)))
    .orderBy(asc(lexicons.id));
  if (found.length === 0) return [];
  const all = await db
    .select()
    .from(lexiconTerms)
    .where(
      inArray(
        lexiconTerms.lexiconId,
        found.map((l) => l.id),
      ),
    )
    .orderBy(asc(lexiconTerms.id));
  return found.map((l) => ({
    id: l.id,
    name: l.name,
    level: l.level as FindingLevel,
    code: l.code,
    description: l.description,
    traditionalToSimplified: l.traditionalToSimplified,
    terms: all.filter((t) => t.lexiconId === l.id && t.kind === 'term').map((t) => t.term),
    allow: all.filter((t) => t.lexiconId === l.id && t.kind === 'allow').map((t) => t.term),
  }));
}

async function requireLexicon(db: Db, p: Principal, id: string): Promise<LexiconView> {
  const n = parseId(id);
  const [found] = n === undefined ? [] : await view(db, p.workspaceId, n);
  if (!found) throw new QunfaError('NOT_FOUND', `lexicon ${id} not found`);
  return found;
}

/** Runs a change, bumps the revision and audits in one transaction, then rebuilds every instance's index. */
async function change<T>(
  deps: ServiceDeps,
  p: Principal,
  audit: { action: string; subjectId: string | number; details: Record<string, unknown> },
  run: (tx: Db) => Promise<T>,
): Promise<T> {
  const { result, revision } = await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const result = await run(tx);
    const revision = await bumpRevision(tx, p.workspaceId);
    await writeAudit(tx, {
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      subjectType: 'lexicon',
      ...audit,
      at: deps.clock.now(),
    });
    return { result, revision };
  });
  await deps.lexicons.changed(String(p.workspaceId), revision);
  return result;
}

export async function listLexicons(deps: ServiceDeps, principal: Principal | null) {
  const p = authorize(principal, 'read');
  return view(deps.db, p.workspaceId);
}

export async function createLexicon(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'approve');
  const data = validate(createInput, input);
  if ((builtinLexiconNames as readonly string[]).includes(data.name)) {
    throw new QunfaError('CONFLICT', `"${data.name}" is a shipped lexicon`, { details: { field: 'name' } });
  }
  // Validates exactly as the index will build it.
  const lexicon = lexiconFromTerms(data.name, data.level, data.terms, {
    ...(data.code ? { code: data.code } : {}),
    allow: data.allow,
    traditionalToSimplified: data.traditionalToSimplified,
  });
  const id = await change(
    deps,
    p,
    {
      action: 'lexicon.created',
      subjectId: data.name,
      details: { name: data.name, terms: lexicon.terms.length },
    },
    async (tx) => {
      const [row] = await tx
        .insert(lexicons)
        .values({
          workspaceId: p.workspaceId,
          name: lexicon.name,
          level: lexicon.level,
          code: lexicon.code,
          description: data.description ?? null,
          traditionalToSimplified: lexicon.traditionalToSimplified,
        })
        .returning({ id: lexicons.id });
      const values = [
        ...lexicon.terms.map((term) => ({ term, kind: 'term' })),
        ...lexicon.allow.map((term) => ({ term, kind: 'allow' })),
      ].map((v) => ({ ...v, workspaceId: p.workspaceId, lexiconId: row!.id }));
      if (values.length > 0) await tx.insert(lexiconTerms).values(values);
      return row!.id;
    },
  ).catch((error: unknown) => conflictOr(error, `a lexicon named "${data.name}" exists`, { field: 'name' }));
  return (await view(deps.db, p.workspaceId, id))[0]!;
}

type TermsEdit = { kind: 'term' | 'allow'; terms: string[] };

/** Adds or removes terms of one kind, audited as `action`, and answers the lexicon as it is now. */
async function editLexiconTerms(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  input: unknown,
  action: 'lexicon.terms_added' | 'lexicon.terms_removed',
  write: (tx: Db, lexiconId: number, data: TermsEdit, workspaceId: number) => Promise<unknown>,
) {
  const p = authorize(principal, 'approve');
  const data = validate(termsInput, input);
  const lexicon = await requireLexicon(deps.db, p, id);
  await change(
    deps,
    p,
    { action, subjectId: lexicon.id, details: { kind: data.kind, count: data.terms.length } },
    (tx) => write(tx, lexicon.id, data, p.workspaceId),
  );
  return requireLexicon(deps.db, p, id);
}

export function addLexiconTerms(deps: ServiceDeps, principal: Principal | null, id: string, input: unknown) {
  return editLexiconTerms(
    deps,
    principal,
    id,
    input,
    'lexicon.terms_added',
    (tx, lexiconId, data, workspaceId) =>
      tx
        .insert(lexiconTerms)
        .values([...new Set(data.terms)].map((term) => ({ workspaceId, lexiconId, term, kind: data.kind })))
        .onConflictDoNothing(),
  );
}

export function removeLexiconTerms(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  input: unknown,
) {
  return editLexiconTerms(deps, principal, id, input, 'lexicon.terms_removed', (tx, lexiconId, data) =>
    tx
      .delete(lexiconTerms)
      .where(
        and(
          eq(lexiconTerms.lexiconId, lexiconId),
          eq(lexiconTerms.kind, data.kind),
          inArray(lexiconTerms.term, data.terms),
        ),
      ),
  );
}

export async function deleteLexicon(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'approve');
  const lexicon = await requireLexicon(deps.db, p, id);
  await change(
    deps,
    p,
    { action: 'lexicon.deleted', subjectId: lexicon.id, details: { name: lexicon.name } },
    (tx) => tx.delete(lexicons).where(eq(lexicons.id, lexicon.id)),
  );
  return true;
}
