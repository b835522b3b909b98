import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** TC3-HMAC-SHA256 (签名方法 v3) of a POST with a JSON body, hex. */
export function tc3Signature(input: {
  secretKey: string;
  service: string;
  /** Unix seconds (X-TC-Timestamp); its UTC date is the scope's date. */
  timestamp: number;
  /** Header names in lower case → values, only the signed ones. */
  headers: Record<string, string>;
  signedHeaders: string[];
  payload: string;
  path?: string;
  query?: string;
}): string {
  const names = [...input.signedHeaders].sort();
  const canonical = [
    'POST',
    input.path ?? '/',
    input.query ?? '',
    names.map((n) => `${n}:${(input.headers[n] ?? '').trim().toLowerCase()}\n`).join(''),
    names.join(';'),
    sha256(input.payload),
  ].join('\n');
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, sha256(canonical)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${input.secretKey}`, date), input.service), 'tc3_request');
  return createHmac('sha256', signing).update(stringToSign).digest('hex');
}

/** Checks an `Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=…`. */
export function verifyTc3(
  request: { headers: Record<string, string>; body: string; path: string },
  secretOf: (secretId: string) => string | undefined,
  now: Date,
): 'ok' | 'AuthFailure.SignatureFailure' | 'AuthFailure.SecretIdNotFound' | 'AuthFailure.SignatureExpire' {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      request.headers.authorization ?? '',
    );
  if (!m) return 'AuthFailure.SignatureFailure';
  const [, secretId, date, service, signed, signature] = m as unknown as string[];
  const secret = secretOf(secretId!);
  if (secret === undefined) return 'AuthFailure.SecretIdNotFound';
  const timestamp = Number(request.headers['x-tc-timestamp']);
  if (!Number.isFinite(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > 300)
    return 'AuthFailure.SignatureExpire';
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return 'AuthFailure.SignatureFailure';
  const signedHeaders = signed!.split(';');
  if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host'))
    return 'AuthFailure.SignatureFailure';
  // The real endpoint has no port; the SDK signs the host name alone, so a local fake drops its port too.
  const host = (request.headers.host ?? '').replace(/:\d+$/, '');
  const expected = tc3Signature({
    secretKey: secret,
    service: service!,
    timestamp,
    headers: { ...request.headers, host },
    signedHeaders,
    payload: request.body,
    path: request.path,
  });
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))
    ? 'ok'
    : 'AuthFailure.SignatureFailure';
}
