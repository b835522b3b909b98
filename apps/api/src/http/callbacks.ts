import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CallbackRequest,
  type CallbackResponse,
  channelReceiptEvents,
  type Engine,
  isQunfaError,
  type Logger,
  type Registry,
} from '@qunfa/core';
import { readBody } from './request-body.js';

export const CALLBACK_PATH = '/callbacks/';

const statusOf: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, INVALID_INPUT: 400 };

function answer(res: ServerResponse, r: CallbackResponse): void {
  res.writeHead(r.status ?? 200, { 'content-type': r.contentType ?? 'text/plain; charset=utf-8' });
  res.end(r.body);
}

/**
 * `/callbacks/<channel id>` (GET or POST): the channel's `receipts` verifies and parses the
 * provider's request, the engine applies the events, the channel says what to answer. An
 * unknown channel is 404, a rejected signature 401/403; in both cases nothing is written.
 */
export function createCallbackHandler(deps: { registry: Registry; engine: Engine; logger: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://callback');
    let id: string;
    try {
      id = decodeURIComponent(url.pathname.slice(CALLBACK_PATH.length));
    } catch {
      return answer(res, { status: 404, body: 'not found' });
    }
    const name = id.startsWith('channel:') ? id : `channel:${id}`;
    const channel = deps.registry.channels.find((c) => c.name === name);
    if (!channel?.receipts) return answer(res, { status: 404, body: 'not found' });
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      return answer(res, { status: 405, body: 'method not allowed' });
    }
    const body = await readBody(req);
    if (body === undefined) return answer(res, { status: 413, body: 'too large' });
    const request: CallbackRequest = {
      method: req.method,
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      query: Object.fromEntries(url.searchParams),
      body,
    };
    try {
      const events = await channel.receipts(request);
      if (events === undefined) return answer(res, { status: 404, body: 'not found' });
      if (events.length > 0) {
        const result = await deps.engine.applyReceipts(
          channelReceiptEvents(channel.name, events, 'callback'),
        );
        deps.logger.debug('receipts applied', {
          plugin: channel.name,
          ...result,
          unknown: result.unknown.length,
        });
      }
      answer(res, channel.callbackResponse?.(request, events) ?? { body: 'success' });
    } catch (error) {
      const status = isQunfaError(error) ? statusOf[error.code] : undefined;
      if (status) return answer(res, { status, body: status === 400 ? 'bad request' : 'rejected' });
      deps.logger.error('a receipt callback failed', {
        plugin: channel.name,
        error: error instanceof Error ? error.message : String(error),
      });
      answer(res, { status: 500, body: 'error' });
    }
  };
}
