import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Health } from './health.js';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

/** Whether a request is for `/healthz` or `/readyz` (a query string allowed). */
export const isHealthPath = (url: string | undefined) => {
  const path = (url ?? '').split('?')[0];
  return path === LIVENESS_PATH || path === READINESS_PATH;
};

/**
 * `GET /healthz`: 200 while the process can answer at all (liveness: restart it when this
 * fails), dependencies not asked — a database outage must not get every process restarted.
 * `GET /readyz`: 200 when this process can do its work, 503 when not (readiness: send it no
 * traffic), with each check as JSON. Neither needs a key: they say nothing a caller could use
 * beyond up or down, no addresses or messages.
 */
export function createHealthHandler(health: Health) {
  const startedAt = Date.now();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    if (path === LIVENESS_PATH) {
      send(200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
      return;
    }
    const readiness = await health.ready();
    send(readiness.ready ? 200 : 503, {
      status: readiness.ready ? 'ready' : 'not_ready',
      checks: readiness.checks,
    });
  };
}
