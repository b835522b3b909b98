import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/**
 * A complaint's evidence bundle (seed 001: keep the chain of evidence), assembled in the
 * transaction that classified the complaint: the exact JSON document, its SHA-256 (also in
 * the audit log) and an HMAC-SHA-256 signature by the deployment's key.
 */
export const evidenceBundles = pgTable(
  'evidence_bundles',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    triageItemId: ref('triage_item_id').notNull(),
    contactId: ref('contact_id').notNull(),
    campaignId: ref('campaign_id'),
    deliveryId: ref('delivery_id'),
    /** The document, byte for byte as hashed and signed (canonical JSON, keys sorted). */
    document: text('document').notNull(),
    sha256: text('sha256').notNull(),
    /** HMAC-SHA-256 of the document, hex; null when no signing key was configured. */
    signature: text('signature'),
    /** Set by an admin when the complaint became a legal matter: erasure and retention keep the bundle whole. */
    legalHoldAt: at('legal_hold_at'),
    legalHoldReason: text('legal_hold_reason'),
    /** When erasure or retention replaced `document` with a stub (`sha256` still names the original). */
    redactedAt: at('redacted_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('evidence_bundles_item_idx').on(t.triageItemId),
    index('evidence_bundles_workspace_idx').on(t.workspaceId, t.id),
  ],
);
