import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CallbackRequest,
  type CallbackResponse,
  type Engine,
  isQunfaError,
  type Logger,
} from '@qunfa/core';
import { readBody } from './request-body.js';

export const CALLBACK_PATH = '/callbacks/';

const statusOf: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, INVALID_INPUT: 400 };

function answer(res: ServerResponse, r: CallbackResponse): void {
  res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? 'text/plain; charset=utf-8' });
  res.end(r.body);
}

/** `/callbacks/wecom/app/1000002` → channel `channel:wecom`, path `/app/1000002`. */
function route(pathname: string): { channel: string; path: string } | undefined {
  try {
    const [id, ...rest] = pathname.slice(CALLBACK_PATH.length).split('/');
    const name = decodeURIComponent(id ?? '');
    if (!name) return undefined;
    return {
      channel: name.startsWith('channel:') ? name : `channel:${name}`,
      path: rest.length === 0 ? '' : `/${rest.map(decodeURIComponent).join('/')}`,
    };
  } catch {
    return undefined;
  }
}

/**
 * `/callbacks/<channel id>[/<path>]` (GET or POST): the engine hands the request to the
 * channel's `callback`, which verifies and parses it, then applies its receipts and records
 * its inbound messages; the channel says what to answer. An unknown channel is 404, a rejected
 * signature or a replay 401/403; in both cases nothing is written.
 */
export function createCallbackHandler(deps: {
  engine: Engine;
  logger: Logger;
  /** Told of each refused (400/401/403) or failed (500) callback, for metrics. */
  onError?: (channel: string, status: number) => void;
}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://callback');
    const target = route(url.pathname);
    if (!target) return answer(res, { status: 404, body: 'not found' });
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      return answer(res, { status: 405, body: 'method not allowed' });
    }
    const body = await readBody(req);
    if (body === undefined) return answer(res, { status: 413, body: 'too large' });
    const request: CallbackRequest = {
      method: req.method,
      path: target.path,
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      query: Object.fromEntries(url.searchParams),
      body,
    };
    try {
      const handled = await deps.engine.handleCallback(target.channel, request);
      if (!handled) return answer(res, { status: 404, body: 'not found' });
      deps.logger.debug('callback handled', {
        plugin: target.channel,
        receipts: handled.receipts?.applied ?? 0,
        inbound: handled.inbound?.recorded ?? 0,
      });
      answer(res, handled.response);
    } catch (error) {
      const status = isQunfaError(error) ? statusOf[error.code] : undefined;
      deps.onError?.(target.channel, status ?? 500);
      if (status) return answer(res, { status, body: status === 400 ? 'bad request' : 'rejected' });
      deps.logger.error('a provider callback failed', {
        plugin: target.channel,
        error: error instanceof Error ? error.message : String(error),
      });
      answer(res, { status: 500, body: 'error' });
    }
  };
}
