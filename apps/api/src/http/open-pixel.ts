import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Engine, Logger } from '@qunfa/core';
import type { LinkTokens } from '../links/link-token.js';

export const OPEN_PIXEL_PATH = '/o/';

/** The key of open-pixel tokens, derived from the link secret: its own, so no click token is ever an open. */
export const openPixelKey = (linkSecret: string) =>
  createHmac('sha256', linkSecret).update('qunfa/open/v1').digest('base64url');

/** A 1×1 GIF89a whose one pixel is transparent (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'base64',
);

function sendGif(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'image/gif',
    'content-length': TRANSPARENT_GIF.length,
    // Every open should reach us, not a cache: the first one is what counts.
    'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
    pragma: 'no-cache',
    expires: '0',
    'x-robots-tag': 'noindex',
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : TRANSPARENT_GIF);
}

/**
 * `GET /o/<token>.gif`, an e-mail's open pixel: always a transparent 1×1 GIF with no-cache
 * headers, whatever the token, so a mail client never shows a broken image. A token signed with
 * the pixel key applies a `read` receipt to its delivery (`source: 'pixel'`) through the engine,
 * as a channel's read receipt does: the first open moves the delivery to read and is its one read
 * event; later opens move nothing and write nothing (the receipt rule records a state once). A
 * malformed, forged or foreign token (a click or unsubscribe token: their keys differ) writes
 * nothing. HEAD writes nothing. No IP address or user agent is kept.
 */
export function createOpenPixelHandler(deps: {
  engine: Pick<Engine, 'applyReceipts'>;
  clock: Clock;
  logger: Logger;
  tokens: LinkTokens;
}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return void res.end();
    }
    const path = new URL(req.url ?? '/', 'http://pixel').pathname;
    const name = path.slice(OPEN_PIXEL_PATH.length);
    const ref = name.endsWith('.gif') ? deps.tokens.verify(name.slice(0, -'.gif'.length)) : undefined;
    if (ref && req.method === 'GET') {
      // The image is answered even when the open cannot be recorded.
      await deps.engine
        .applyReceipts([{ deliveryId: ref.deliveryId, state: 'read', at: deps.clock.now(), source: 'pixel' }])
        .catch((error: unknown) =>
          deps.logger.error('an open was not recorded', {
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    }
    sendGif(req, res);
  };
}
