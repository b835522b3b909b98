import type { EventBus, FindingLevel, Logger } from '@qunfa/core';
import {
  builtinLexicons,
  createSensitiveWordIndex,
  type Lexicon,
  lexiconFromTerms,
  type SensitiveWordIndex,
} from '@qunfa/plugins';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { lexiconRevisions, lexicons, lexiconTerms } from '../db/schema/index.js';

/** Each workspace's sensitive-word index: the shipped lexicons plus its own, kept current. */
export interface LexiconCache {
  /** The index checks use now; a workspace without lexicons of its own shares the shipped one. */
  index(workspaceId: string | undefined): SensitiveWordIndex;
  /** Rebuilds the workspaces whose revision in PostgreSQL differs from the one built. */
  refresh(): Promise<void>;
  /** After this process changed a workspace's lexicons: rebuild here now, then signal the others. */
  changed(workspaceId: string, revision: number): Promise<void>;
  close(): void;
}

export interface LexiconCacheOptions {
  db: Db;
  bus: EventBus;
  logger: Logger;
  /** A backstop for a lost signal: how often revisions are compared, in ms. Default 30 000. */
  pollMs?: number;
}

/** The workspace's own lexicons, as the engine takes them. */
export async function loadWorkspaceLexicons(db: Db, workspaceId: number): Promise<Lexicon[]> {
  const found = await db
    .select({
      id: lexicons.id,
      name: lexicons.name,
      level: lexicons.level,
      code: lexicons.code,
      description: lexicons.description,
      t2s: lexicons.traditionalToSimplified,
      term: lexiconTerms.term,
      kind: lexiconTerms.kind,
    })
    .from(lexicons)
    .leftJoin(lexiconTerms, eq(lexiconTerms.lexiconId, lexicons.id))
    .where(eq(lexicons.workspaceId, workspaceId))
    .orderBy(asc(lexicons.id), asc(lexiconTerms.id));
  const byId = new Map<number, { row: (typeof found)[number]; terms: string[]; allow: string[] }>();
  for (const row of found) {
    const entry = byId.get(row.id) ?? { row, terms: [], allow: [] };
    byId.set(row.id, entry);
    if (row.term !== null) (row.kind === 'allow' ? entry.allow : entry.terms).push(row.term);
  }
  return [...byId.values()]
    .filter((e) => e.terms.length > 0)
    .map(({ row, terms, allow }) =>
      lexiconFromTerms(row.name, row.level as FindingLevel, terms, {
        code: row.code,
        allow,
        traditionalToSimplified: row.t2s,
        ...(row.description ? { description: row.description } : {}),
      }),
    );
}

/**
 * Rebuilt on the `compliance.lexicons` signal, which crosses processes on whichever bus the
 * app runs (LISTEN/NOTIFY, Redis, memory); a slow poll of the revision counters catches a
 * signal lost while a connection was down. PostgreSQL stays the truth.
 */
export function createLexiconCache(options: LexiconCacheOptions): LexiconCache & { start(): Promise<void> } {
  const { db, bus, logger } = options;
  const shipped = builtinLexicons();
  const shippedIndex = createSensitiveWordIndex(shipped);
  const built = new Map<string, { revision: number; index: SensitiveWordIndex | undefined }>();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const rebuild = async (workspaceId: string, revision: number) => {
    const own = await loadWorkspaceLexicons(db, Number(workspaceId));
    const index = own.length > 0 ? createSensitiveWordIndex([...shipped, ...own]) : undefined;
    built.set(workspaceId, { revision, index });
  };

  const compare = async () => {
    const revisions = await db.select().from(lexiconRevisions);
    for (const { workspaceId, revision } of revisions) {
      const id = String(workspaceId);
      if (built.get(id)?.revision !== revision) await rebuild(id, revision);
    }
  };

  // One refresh at a time, in order: a later signal never loses to an earlier, slower rebuild.
  const refresh = () => {
    running = running.then(compare).catch((error: unknown) => {
      logger.error('lexicons could not be reloaded', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
    return running;
  };

  return {
    index: (workspaceId) => (workspaceId && built.get(workspaceId)?.index) || shippedIndex,
    refresh,
    async changed(workspaceId, revision) {
      await refresh();
      await bus.publish('compliance.lexicons', 'all', { workspaceId, revision });
    },
    async start() {
      await refresh();
      const signals = bus.subscribe('compliance.lexicons', 'all', abort.signal);
      void (async () => {
        for await (const _signal of signals) await refresh();
      })();
      timer = setInterval(() => void refresh(), options.pollMs ?? 30_000);
      timer.unref();
    },
    close() {
      abort.abort();
      if (timer) clearInterval(timer);
    },
  };
}
