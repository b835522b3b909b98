import { QunfaError } from '@qunfa/core';
import type { z } from 'zod';

/** Parses input with a zod schema; a failure is INVALID_INPUT naming the first bad field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(input)';
  throw new QunfaError('INVALID_INPUT', `${field}: ${issue?.message ?? 'invalid'}`, {
    details: {
      field,
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

/** Maps a unique-constraint violation (SQLSTATE 23505) from either driver to CONFLICT. */
export function conflictOr(error: unknown, message: string, details: Record<string, unknown> = {}): never {
  const codeOf = (e: unknown) =>
    e && typeof e === 'object' && 'code' in e ? (e as { code: unknown }).code : undefined;
  const cause =
    error && typeof error === 'object' && 'cause' in error ? (error as { cause: unknown }).cause : undefined;
  if (codeOf(error) === '23505' || codeOf(cause) === '23505') {
    throw new QunfaError('CONFLICT', message, { details, cause: error });
  }
  throw error;
}

/** Opaque cursors over numeric ids. */
export function encodeCursor(id: number): string {
  return Buffer.from(`c:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const match = /^c:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match)
    throw new QunfaError('INVALID_INPUT', 'after: not a cursor of this list', {
      details: { field: 'after' },
    });
  return Number(match[1]);
}

/**
 * One page of a keyset list ordered by id: the query asked for `first + 1` rows (`fetched` of them
 * came back) so the extra one only says another page follows; `nodes` are the page's rows as the
 * list returns them.
 */
export function keysetPage<T extends { id: number | string }>(
  fetched: number,
  first: number,
  nodes: readonly T[],
) {
  return {
    edges: nodes.map((node) => ({ cursor: encodeCursor(Number(node.id)), node })),
    pageInfo: {
      hasNextPage: fetched > first,
      endCursor: nodes.length > 0 ? encodeCursor(Number(nodes.at(-1)!.id)) : null,
    },
  };
}

/** Parses an id argument; a malformed id is as unknown as a missing one. */
export function parseId(id: string): number | undefined {
  return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}
