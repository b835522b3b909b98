import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodyLimits {
  /** Largest JSON or form body, in bytes. Default 1 MiB. */
  maxBodyBytes: number;
  /** Largest multipart upload (contact imports), in bytes. Default 50 MiB. */
  maxUploadBytes: number;
}

export const defaultBodyLimits: BodyLimits = { maxBodyBytes: 1024 * 1024, maxUploadBytes: 50 * 1024 * 1024 };

function refuse(res: ServerResponse, limit: number): void {
  if (res.headersSent) return;
  const body = JSON.stringify({
    errors: [
      {
        message: `the request body is larger than ${limit} bytes`,
        extensions: { code: 'PAYLOAD_TOO_LARGE', limit },
      },
    ],
  });
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(body);
}

/**
 * Refuses a body over its limit with 413 before anything parses it: at once when
 * Content-Length says so, else (chunked) as soon as the bytes read pass the limit, dropping
 * the connection. Multipart uploads have their own, larger limit. True: go on.
 */
export function guardBodySize(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return true;
  const multipart = (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
  const limit = multipart ? limits.maxUploadBytes : limits.maxBodyBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    refuse(res, limit);
    // Nothing more of it is read: the rest would only be discarded.
    req.resume();
    return false;
  }
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) {
      refuse(res, limit);
      req.destroy();
    }
  });
  return true;
}
