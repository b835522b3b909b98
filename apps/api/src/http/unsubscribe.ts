import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import type { LinkTokens } from '../links/link-token.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import { readBody } from './request-body.js';

export const UNSUBSCRIBE_PATH = '/u/';

/** Largest body of an unsubscribe POST: a form field or RFC 8058's `List-Unsubscribe=One-Click`. */
const MAX_BODY_BYTES = 1024;

const page = (title: string, body: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#1f2329}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#1f2329;color:#fff;cursor:pointer}
p.en{color:#646a73}</style></head><body>${body}</body></html>`;

const confirmPage = page(
  '退订 · Unsubscribe',
  `<h1>退订</h1><p>确认后，您将不再收到该品牌的营销消息。</p>
<p class="en">Confirm, and you will receive no more marketing messages from this sender.</p>
<form method="post"><input type="hidden" name="confirm" value="1"><button type="submit">确认退订 · Unsubscribe</button></form>`,
);

const donePage = page(
  '已退订 · Unsubscribed',
  `<h1>已退订</h1><p>您将不再收到该品牌的营销消息。</p><p class="en">You are unsubscribed.</p>`,
);

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

/**
 * The recipient's own unsubscribe link, `/u/<token>` (what `{{unsubscribe}}` renders as).
 * GET only shows a confirmation — mail scanners and link previews open links, and must not
 * unsubscribe anyone; POST (the form, or a one-click `List-Unsubscribe-Post` per RFC 8058)
 * suppresses the contact as `unsubscribed` (note `link`), in one transaction with the audience
 * change log, an event on the delivery and an audit entry. Repeating it changes nothing. A
 * malformed or forged token is 404 and writes nothing; the page shows no personal data.
 */
export function createUnsubscribeHandler(deps: { db: Db; clock: Clock; tokens: LinkTokens }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, HEAD, POST' });
      return void res.end();
    }
    const path = new URL(req.url ?? '/', 'http://unsubscribe').pathname;
    const ref = deps.tokens.verify(path.slice(UNSUBSCRIBE_PATH.length));
    const [delivery] = ref
      ? await rows<{ workspaceId: number; contactId: number; campaignId: number }>(
          deps.db,
          sql`SELECT workspace_id::int AS "workspaceId", contact_id::int AS "contactId", campaign_id::int AS "campaignId"
              FROM deliveries WHERE id = ${Number(ref.deliveryId)}::bigint`,
        )
      : [];
    if (!ref || !delivery)
      return send(res, 404, page('404', '<h1>404</h1><p>链接无效 · This link is not valid.</p>'));
    if (req.method !== 'POST') return send(res, 200, confirmPage);
    if ((await readBody(req, MAX_BODY_BYTES)) === undefined) {
      res.writeHead(413);
      return void res.end();
    }
    const now = deps.clock.now();
    await deps.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const added = await rows<{ contactId: number }>(
        tx,
        sql`INSERT INTO suppressions (workspace_id, contact_id, reason, note, created_at)
            VALUES (${delivery.workspaceId}::bigint, ${delivery.contactId}::bigint, 'unsubscribed', 'link', ${now.toISOString()}::timestamptz)
            ON CONFLICT DO NOTHING RETURNING contact_id::int AS "contactId"`,
      );
      if (added.length === 0) return;
      await recordAudienceChanges(tx, delivery.workspaceId, [delivery.contactId]);
      await tx.execute(sql`INSERT INTO events (workspace_id, campaign_id, delivery_id, type, payload, at)
        VALUES (${delivery.workspaceId}::bigint, ${delivery.campaignId}::bigint, ${Number(ref.deliveryId)}::bigint,
                'unsubscribed', ${JSON.stringify({ source: 'link' })}::jsonb, ${now.toISOString()}::timestamptz)`);
      await writeAudit(tx, {
        workspaceId: delivery.workspaceId,
        actor: { kind: 'system', id: 'unsubscribe-link' },
        action: 'contact.unsubscribed_by_link',
        subjectType: 'contact',
        subjectId: delivery.contactId,
        details: { campaignId: String(delivery.campaignId) },
        at: now,
      });
    });
    send(res, 200, donePage);
  };
}
