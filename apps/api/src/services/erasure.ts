import type { ContactIdentity, IdentityKind } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { authorize, type Principal } from '../auth/roles.js';
import { type Db, rows } from '../db/database.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import { requireContact } from './contacts.js';
import type { ServiceDeps } from './deps.js';
import { erasureKey, identityHash } from './erased-identities.js';
import { redactEvidence } from './retention/redact-evidence.js';

const identitiesOf = async (tx: Db, contactId: number) =>
  (
    await rows<{ kind: IdentityKind; value: string }>(
      tx,
      sql`SELECT kind, value FROM contact_identities WHERE contact_id = ${contactId}::bigint`,
    )
  ).map((i): ContactIdentity => ({ kind: i.kind, value: i.value }));

/**
 * Erases a person: identities, name, attributes, region, tags and activity go; so do the
 * provider ids, errors and event payloads of their deliveries, what they wrote to us and was answered, and
 * their complaint evidence bundles unless under a legal hold. The contact row and its
 * deliveries stay, empty, so campaign counts still add up. Each identity leaves only a keyed
 * hash, which suppresses it as `erased` if it is ever added again, until a new opt-in.
 */
export async function eraseContact(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<{ id: string; erasedAt: Date }> {
  const p = authorize(principal, 'admin');
  const contact = await requireContact(deps.db, p, id);
  if (contact.erasedAt) return { id, erasedAt: contact.erasedAt };
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const cid = sql`${contact.id}::bigint`;
    const identities = await identitiesOf(tx, contact.id);
    if (identities.length > 0) {
      const key = await erasureKey(tx, p.workspaceId);
      const hashes = JSON.stringify(identities.map((i) => ({ kind: i.kind, hash: identityHash(key, i) })));
      await tx.execute(sql`INSERT INTO erased_identities (workspace_id, kind, hash)
        SELECT ${p.workspaceId}::bigint, kind, hash FROM json_to_recordset(${hashes}::json) AS h(kind text, hash text)
        ON CONFLICT DO NOTHING`);
    }
    await tx.execute(sql`DELETE FROM contact_identities WHERE contact_id = ${cid}`);
    await tx.execute(sql`DELETE FROM contact_reach WHERE contact_id = ${cid}`);
    const erasedAt = deps.clock.now();
    await tx.execute(sql`UPDATE contacts SET name = NULL, attributes = '{}'::jsonb, region = NULL, province = NULL,
      city = NULL, district = NULL, device = NULL, tag_ids = '{}', last_active_at = NULL,
      erased_at = ${erasedAt.toISOString()}::timestamptz, updated_at = ${erasedAt.toISOString()}::timestamptz WHERE id = ${cid}`);
    await tx.execute(sql`UPDATE suppressions SET note = NULL WHERE contact_id = ${cid}`);
    await tx.execute(sql`INSERT INTO suppressions (workspace_id, contact_id, reason)
      VALUES (${p.workspaceId}::bigint, ${cid}, 'erased') ON CONFLICT DO NOTHING`);
    await tx.execute(
      sql`UPDATE deliveries SET provider_message_id = NULL, last_error = NULL WHERE contact_id = ${cid}`,
    );
    await tx.execute(sql`UPDATE delivery_attempts SET provider_message_id = NULL, error = NULL
      WHERE delivery_id IN (SELECT id FROM deliveries WHERE contact_id = ${cid})`);
    await tx.execute(sql`UPDATE events SET payload = '{}'::jsonb
      WHERE delivery_id IN (SELECT id FROM deliveries WHERE contact_id = ${cid})`);
    await tx.execute(sql`UPDATE inbound_messages SET text = '', media = '[]'::jsonb, account = NULL
      WHERE contact_id = ${cid}`);
    await tx.execute(sql`UPDATE triage_replies SET text = ''
      WHERE item_id IN (SELECT id FROM triage_items WHERE contact_id = ${cid})`);
    // Complaint evidence holds what they wrote and what they got: redacted too, unless an admin
    // put it under a legal hold (a complaint taken to a regulator or court), which keeps it whole.
    const evidence = await redactEvidence(tx, sql`e.contact_id = ${cid}`, 'erasure', erasedAt, 100_000);
    await recordAudienceChanges(tx, p.workspaceId, [contact.id]);
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: 'contact.erased',
      subjectType: 'contact',
      subjectId: contact.id,
      details: {
        identities: identities.length,
        evidenceRedacted: evidence.redacted,
        evidenceHeld: evidence.held,
      },
    });
    return { id, erasedAt };
  });
}

/**
 * Records a new opt-in for a contact that came back after an erasure: its `erased`
 * suppression and the hashes of its identities go. Returns whether it was suppressed.
 */
export async function recordOptIn(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<boolean> {
  const p = authorize(principal, 'write');
  const contact = await requireContact(deps.db, p, id);
  if (contact.erasedAt) return false;
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const cid = sql`${contact.id}::bigint`;
    const lifted = await rows<{ n: number }>(
      tx,
      sql`DELETE FROM suppressions WHERE contact_id = ${cid} AND reason = 'erased' RETURNING 1 AS n`,
    );
    const identities = await identitiesOf(tx, contact.id);
    if (identities.length > 0) {
      const key = await erasureKey(tx, p.workspaceId);
      const hashes = `{${identities.map((i) => identityHash(key, i)).join(',')}}`;
      await tx.execute(sql`DELETE FROM erased_identities
        WHERE workspace_id = ${p.workspaceId}::bigint AND hash = ANY(${hashes}::text[])`);
    }
    await recordAudienceChanges(tx, p.workspaceId, [contact.id]);
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: 'contact.opted_in',
      subjectType: 'contact',
      subjectId: contact.id,
      details: { liftedErasure: lifted.length > 0 },
    });
    return lifted.length > 0;
  });
}
