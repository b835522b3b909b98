import { identityKinds } from '@qunfa/core';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { contactIdentities, contacts } from '../db/schema/index.js';
import { normalizeIdentity } from './identity.js';

/** `%` and `_` taken literally in a LIKE pattern. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The contacts a search box means: a name containing the text, an identity equal to it once
 * normalised (a phone as E.164, an e-mail in lower case, a WeChat or WeCom id as typed), or a
 * phone or e-mail starting with it. Identity prefixes read the (workspace, kind, value) index,
 * which compares bytes (COLLATE "C"), as a range.
 */
export function contactSearchCondition(workspaceId: number, text: string): SQL {
  const q = text.trim();
  const identity: SQL[] = [];
  for (const kind of identityKinds) {
    const value = normalizeIdentity(kind, q);
    if (value !== undefined)
      identity.push(and(eq(contactIdentities.kind, kind), eq(contactIdentities.value, value))!);
  }
  const digits = q.replace(/[\s\-()]/g, '');
  if (/^\+?\d{3,}$/.test(digits)) {
    // A mainland number is typed without its country code.
    const prefix = digits.startsWith('+') ? digits : `+86${digits}`;
    identity.push(
      sql`(${contactIdentities.kind} = 'phone' AND ${contactIdentities.value} LIKE ${`${prefix}%`})`,
    );
  }
  if (q.length >= 3 && !/\s/.test(q)) {
    identity.push(
      sql`(${contactIdentities.kind} = 'email' AND ${contactIdentities.value} LIKE ${`${likeEscape(q.toLowerCase())}%`})`,
    );
  }
  const byName = sql`${contacts.name} ILIKE ${`%${likeEscape(q)}%`}`;
  if (identity.length === 0) return byName;
  return sql`(${byName} OR ${contacts.id} IN (SELECT ${contactIdentities.contactId} FROM ${contactIdentities}
    WHERE ${contactIdentities.workspaceId} = ${workspaceId} AND (${sql.join(identity, sql` OR `)})))`;
}
