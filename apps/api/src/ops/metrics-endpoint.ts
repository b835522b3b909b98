import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@qunfa/core';
import type { Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `GET /metrics` in Prometheus text format, outside the workspaces' API keys: only with
 * `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). Without a configured
 * token the endpoint does not exist (404), so it is never open by accident.
 */
export function createMetricsHandler(deps: {
  registry: Registry;
  token: string | undefined;
  logger: Logger;
}) {
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== METRICS_PATH || expected === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(expected === undefined ? 'metrics are off: set METRICS_TOKEN' : 'not found');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' });
      res.end();
      return;
    }
    const header = req.headers.authorization ?? '';
    const given = /^Bearer (.+)$/.exec(header)?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"' });
      res.end();
      return;
    }
    try {
      const body = await deps.registry.metrics();
      res.writeHead(200, { 'content-type': deps.registry.contentType });
      res.end(body);
    } catch (error) {
      deps.logger.error('metrics could not be collected', {
        error: error instanceof Error ? error.message : String(error),
      });
      res.writeHead(500);
      res.end();
    }
  };
}
