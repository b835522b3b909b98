import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding, as the V3 signature canonicalises query names and values. */
export function acsEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface Acs3Request {
  method: string;
  /** The path, e.g. `/`. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  signedHeaders: string[];
  /** Hex SHA-256 of the body (`x-acs-content-sha256`). */
  hashedPayload: string;
}

/** `ACS3-HMAC-SHA256` (V3 签名机制): HMAC-SHA256 of the hashed canonical request, hex. */
export function acs3Signature(request: Acs3Request, secret: string): string {
  const query = Object.keys(request.query)
    .sort()
    .map((k) => `${acsEncode(k)}=${acsEncode(request.query[k] ?? '')}`)
    .join('&');
  const names = [...request.signedHeaders].sort();
  const canonical = [
    request.method.toUpperCase(),
    request.path || '/',
    query,
    names.map((n) => `${n}:${(request.headers[n] ?? '').trim()}\n`).join(''),
    names.join(';'),
    request.hashedPayload,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` header. */
export function parseAcs3Authorization(
  header: string,
): { accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  const m =
    /^ACS3-HMAC-SHA256\s+Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!m) return undefined;
  return { accessKeyId: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

/** Whether the request is signed with `secret`; the payload hash is checked against the body. */
export function verifyAcs3(
  request: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    body: string;
  },
  secretOf: (accessKeyId: string) => string | undefined,
): 'ok' | 'IncompleteSignature' | 'InvalidAccessKeyId.NotFound' | 'SignatureDoesNotMatch' {
  const auth = parseAcs3Authorization(request.headers.authorization ?? '');
  if (!auth) return 'IncompleteSignature';
  for (const required of [
    'host',
    'x-acs-action',
    'x-acs-version',
    'x-acs-date',
    'x-acs-signature-nonce',
    'x-acs-content-sha256',
  ])
    if (!auth.signedHeaders.includes(required)) return 'IncompleteSignature';
  const secret = secretOf(auth.accessKeyId);
  if (secret === undefined) return 'InvalidAccessKeyId.NotFound';
  const hashedPayload = createHash('sha256').update(request.body).digest('hex');
  if (request.headers['x-acs-content-sha256'] !== hashedPayload) return 'SignatureDoesNotMatch';
  const expected = acs3Signature(
    {
      method: request.method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      signedHeaders: auth.signedHeaders,
      hashedPayload,
    },
    secret,
  );
  const ok = timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
  return ok ? 'ok' : 'SignatureDoesNotMatch';
}
