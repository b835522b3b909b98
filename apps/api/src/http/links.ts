import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ChannelPlanStep,
  type Clock,
  type Content,
  createGroupCommit,
  type Engine,
  type Logger,
  linkTarget,
  type ReceiptEvent,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../db/database.js';
import type { LinkTokens } from '../links/link-token.js';

export const LINK_PATH = '/l/';

/** A request for a tracked link: recorded as a click unless HEAD or a link preview. */
interface Click {
  deliveryId: string;
  link: number;
  record: boolean;
  /** When the request arrived: with the link, what keeps two clicks apart (`earlyReceiptKey`). */
  at: Date;
}

interface LinkRow {
  content: Content;
  channelContent: Record<string, Content>;
  channelPlan: ChannelPlanStep[];
}

/** Link-preview fetchers and crawlers: they follow the link, but nobody clicked it. */
const previewAgents =
  /bot\b|crawler|spider|preview|facebookexternalhit|whatsapp|slack|discord|telegram|skype|embedly|iframely|vkshare|bitlybot|linkexpander|headless/i;

export function isPreviewAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && previewAgents.test(userAgent);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('not found');
}

/** `target` with `param=<token>` added (replacing one already there), for http(s) targets; others as they are. */
export function withClickParam(target: string, param: string, token: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return target;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return target;
  url.searchParams.set(param, token);
  return url.toString();
}

/**
 * `GET /l/<token>`: verifies the token, records a click for its delivery (not for HEAD requests
 * or link previews), and redirects to the link as the campaign's variant has it. A malformed
 * or forged token is 404 and nothing is recorded. No IP address or user agent is kept. The
 * redirect carries the token as `clickParam` so that a partner's conversion can name the click.
 */
export function createLinkHandler(deps: {
  db: Db;
  engine: Engine;
  clock: Clock;
  logger: Logger;
  tokens: LinkTokens;
  /** Query parameter the redirect adds to an http(s) target, carrying the token back to a partner's conversion; null: none. */
  clickParam?: string | null;
}) {
  const notRecorded = (error: unknown) =>
    deps.logger.error('a click was not recorded', {
      error: error instanceof Error ? error.message : String(error),
    });
  const recordClicks = async (events: ReceiptEvent[]) => {
    try {
      await deps.engine.applyReceipts(events);
    } catch (error) {
      if (events.length === 1) return notRecorded(error);
      // Each again on its own, so that one that cannot be recorded does not lose its neighbours.
      await Promise.all(events.map((e) => deps.engine.applyReceipts([e]).catch(notRecorded)));
    }
  };
  // Clicks arriving together go together: their deliveries looked up in one statement (read as
  // they are now: a variant edited since is what the next click gets), then recorded in one
  // engine call — one group from the request to the commit, where two group commits in a row
  // split the requests in flight between them. Each is answered after its click committed.
  const clicks = createGroupCommit<Click, string | undefined>({
    commit: async (group) => {
      const ids = [...new Set(group.map((c) => c.deliveryId))];
      const found = await preparedRows<LinkRow & { id: string }>(
        deps.db,
        sql`SELECT d.id::text, v.content, v.channel_content AS "channelContent", k.channel_plan AS "channelPlan"
            FROM deliveries d JOIN variants v ON v.id = d.variant_id JOIN campaigns k ON k.id = d.campaign_id
            WHERE d.id = ANY(${`{${ids.join(',')}}`}::bigint[])`,
      );
      const byId = new Map(found.map((r) => [r.id, r]));
      const targets = group.map((c) => {
        const row = byId.get(c.deliveryId);
        return row && linkTarget(row, row.channelPlan, c.link);
      });
      const events = group.flatMap((c, i): ReceiptEvent[] =>
        c.record && targets[i]
          ? [{ deliveryId: c.deliveryId, state: 'clicked', at: c.at, source: 'link', link: c.link }]
          : [],
      );
      // The person gets where they were going even when the click cannot be recorded.
      if (events.length > 0) await recordClicks(events);
      return targets;
    },
  });
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return void res.end();
    }
    const path = new URL(req.url ?? '/', 'http://link').pathname;
    const ref = deps.tokens.verify(path.slice(LINK_PATH.length));
    if (!ref || !/^\d{1,18}$/.test(ref.deliveryId)) return notFound(res);
    const target = await clicks.submit({
      deliveryId: String(BigInt(ref.deliveryId)),
      link: ref.link,
      record: req.method === 'GET' && !isPreviewAgent(req.headers['user-agent']),
      at: deps.clock.now(),
    });
    if (!target) return notFound(res);
    const location = deps.clickParam
      ? withClickParam(target, deps.clickParam, path.slice(LINK_PATH.length))
      : target;
    res.writeHead(302, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
  };
}
