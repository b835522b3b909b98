import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, isQunfaError, type Logger } from '@qunfa/core';
import type { Db } from '../db/database.js';
import type { LinkTokens } from '../links/link-token.js';
import { conversionSecret } from '../services/conversions/conversion-secret.js';
import { recordConversion } from '../services/conversions/record-conversion.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../services/webhooks/signature.js';
import { readBody } from './request-body.js';

export const CONVERSION_PATH = '/conversions/';

/** A conversion event is a small JSON object. */
const MAX_BODY_BYTES = 16 * 1024;

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * `POST /conversions/<workspace id>`: a partner app's conversion, signed as Qunfa signs its own
 * webhooks — `Qunfa-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the
 * workspace's conversion secret, at most 5 minutes old. A forged, stale or unsigned request is
 * 401 and nothing is written; a replay inside the 5 minutes is answered with the first record
 * (`duplicate: true`) by its idempotency key.
 */
export function createConversionHandler(deps: { db: Db; clock: Clock; logger: Logger; tokens?: LinkTokens }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' });
      return void res.end();
    }
    const id = new URL(req.url ?? '/', 'http://conversions').pathname.slice(CONVERSION_PATH.length);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return answer(res, 413, { code: 'INVALID_INPUT', message: 'body too large' });
    const workspaceId = /^\d{1,15}$/.test(id) ? Number(id) : undefined;
    const secret = workspaceId === undefined ? null : await conversionSecret(deps.db, workspaceId);
    const header = req.headers[SIGNATURE_HEADER];
    const now = deps.clock.now();
    if (
      workspaceId === undefined ||
      secret === null ||
      !verifyWebhookSignature(secret, typeof header === 'string' ? header : undefined, body, { now })
    ) {
      return answer(res, 401, { code: 'UNAUTHENTICATED', message: 'missing, stale or wrong signature' });
    }
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return answer(res, 400, { code: 'INVALID_INPUT', message: 'the body is not JSON' });
    }
    try {
      const conversion = await recordConversion(deps.db, workspaceId, input, 'webhook', now, deps.tokens);
      return answer(res, 200, conversion);
    } catch (error) {
      if (isQunfaError(error) && error.code !== 'INTERNAL') {
        return answer(res, error.code === 'CONTACT_NOT_FOUND' ? 404 : 400, {
          code: error.code,
          message: error.message,
          details: error.details,
        });
      }
      throw error;
    }
  };
}
