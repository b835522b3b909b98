import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process S3, path-style (`/<bucket>/<key>`), written from the Amazon S3 API reference:
 * PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2, CreateMultipartUpload,
 * UploadPart, CompleteMultipartUpload, AbortMultipartUpload, with S3's REST error document
 * (`<Error><Code/><Message/><Resource/><RequestId/></Error>`). Every request must carry a valid
 * Signature Version 4 `Authorization` header (header-based, single chunk: a signed payload is
 * checked against `x-amz-content-sha256`, or `UNSIGNED-PAYLOAD`); `Content-MD5` is checked
 * (BadDigest). Faults can be queued per operation: a 500 InternalError, a connection reset
 * while the request body arrives, a GET whose body stops half way.
 */

export type S3Operation =
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'ListObjectsV2'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload';

export type S3Fault = 'internal-error' | 'reset' | 'truncate';

export interface StoredObject {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

export interface FakeS3 {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** bucket → key → object; tests may change bytes to damage an object. */
  buckets: Map<string, Map<string, StoredObject>>;
  /** Requests served per operation (signature refusals included). */
  calls: Record<string, number>;
  /** The next `times` (default 1) requests of `op` fail with `fault`; Infinity: until `clearFaults`. */
  fail(op: S3Operation, fault: S3Fault, times?: number): void;
  clearFaults(): void;
  /** Multipart uploads begun and neither completed nor aborted. */
  openUploads(): number;
  close(): Promise<void>;
}

/** RFC 3986 encoding, as SigV4's canonical query string wants it. */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function canonicalQuery(raw: string): string {
  if (raw === '') return '';
  return raw
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      const k = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
      const v = i < 0 ? '' : decodeURIComponent(pair.slice(i + 1).replace(/\+/g, '%20'));
      return [uriEncode(k), uriEncode(v)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Checks the request's SigV4 Authorization header against the one secret this fake knows. */
function verifySignature(
  req: IncomingMessage,
  rawPath: string,
  rawQuery: string,
  region: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  now: Date,
): void {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m)
    throw new S3Failure(403, 'AccessDenied', 'Missing or malformed Signature Version 4 Authorization header');
  const [, keyId, day, scopeRegion, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== creds.accessKeyId) {
    throw new S3Failure(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  if (scopeRegion !== region) {
    throw new S3Failure(
      400,
      'AuthorizationHeaderMalformed',
      `the region '${scopeRegion}' is wrong; expecting '${region}'`,
    );
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) {
    throw new S3Failure(403, 'AccessDenied', 'x-amz-date is missing or does not match the credential scope');
  }
  const at = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (Math.abs(at - now.getTime()) > 15 * 60_000) {
    throw new S3Failure(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) {
    throw new S3Failure(403, 'AccessDenied', 'host and x-amz-date must be signed');
  }
  const headerLines = names.map((name) => {
    const value = req.headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${String(text).trim().replace(/\s+/g, ' ')}\n`;
  });
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash === '')
    throw new S3Failure(
      400,
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  const canonicalRequest = [
    req.method,
    rawPath,
    canonicalQuery(rawQuery),
    headerLines.join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day!), region), 's3'), 'aws4_request');
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) {
    throw new S3Failure(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}

const operationOf = (method: string, key: string, q: URLSearchParams): S3Operation | undefined => {
  if (key === '') return method === 'GET' && q.get('list-type') === '2' ? 'ListObjectsV2' : undefined;
  if (method === 'PUT') return q.has('uploadId') ? 'UploadPart' : 'PutObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'POST')
    return q.has('uploads')
      ? 'CreateMultipartUpload'
      : q.has('uploadId')
        ? 'CompleteMultipartUpload'
        : undefined;
  if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  return undefined;
};

export async function startFakeS3(
  options: {
    region?: string;
    buckets?: string[];
    /** Smallest part but the last of a multipart upload; S3's is 5 MiB. */
    minPartBytes?: number;
  } = {},
): Promise<FakeS3> {
  const region = options.region ?? 'us-east-1';
  const credentials = {
    accessKeyId: `AKIAFAKE${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  const minPart = options.minPartBytes ?? 5 * 1024 * 1024;
  const buckets = new Map<string, Map<string, StoredObject>>(
    (options.buckets ?? ['archive']).map((b) => [b, new Map()]),
  );
  const uploads = new Map<
    string,
    {
      bucket: string;
      key: string;
      metadata: Record<string, string>;
      parts: Map<number, { body: Buffer; etag: string }>;
    }
  >();
  const calls: Record<string, number> = {};
  const faults: { op: S3Operation; fault: S3Fault; left: number }[] = [];

  const takeFault = (op: S3Operation): S3Fault | undefined => {
    const f = faults.find((x) => x.op === op && x.left > 0);
    if (!f) return undefined;
    f.left--;
    return f.fault;
  };

  const sendError = (res: ServerResponse, method: string, resource: string, e: S3Failure) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    res.writeHead(e.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
    // A HEAD response has no body: the SDK knows the error from the status alone.
    if (method === 'HEAD') return void res.end();
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>` +
        `<Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`,
    );
  };

  const objectHeaders = (o: StoredObject) => ({
    'content-length': String(o.body.length),
    'content-type': 'application/octet-stream',
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    ...Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
  });

  const metadataOf = (req: IncomingMessage) =>
    Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => k.startsWith('x-amz-meta-'))
        .map(([k, v]) => [k.slice('x-amz-meta-'.length), String(v)]),
    );

  const checkBody = (req: IncomingMessage, body: Buffer) => {
    const declared = String(req.headers['x-amz-content-sha256'] ?? '');
    if (/^[0-9a-f]{64}$/.test(declared) && sha256Hex(body) !== declared) {
      throw new S3Failure(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const md5 = req.headers['content-md5'];
    if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
      throw new S3Failure(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    const sum = req.headers['x-amz-checksum-sha256'];
    if (sum !== undefined && createHash('sha256').update(body).digest('base64') !== sum) {
      throw new S3Failure(
        400,
        'BadDigest',
        'The SHA256 you specified did not match the calculated checksum.',
      );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const qAt = url.indexOf('?');
    const rawPath = qAt < 0 ? url : url.slice(0, qAt);
    const rawQuery = qAt < 0 ? '' : url.slice(qAt + 1);
    const q = new URLSearchParams(rawQuery);
    const [, bucketName = '', ...rest] = rawPath.split('/');
    const bucket = decodeURIComponent(bucketName);
    const key = rest.map(decodeURIComponent).join('/');
    const method = req.method ?? 'GET';
    const op = operationOf(method, key, q);
    const resource = `/${bucket}${key ? `/${key}` : ''}`;
    calls[op ?? 'Unknown'] = (calls[op ?? 'Unknown'] ?? 0) + 1;
    const fault = op ? takeFault(op) : undefined;
    if (fault === 'reset') {
      // The connection dies while the request (and its body) is on its way.
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    try {
      verifySignature(req, rawPath, rawQuery, region, credentials, new Date());
      if (op === undefined)
        throw new S3Failure(
          405,
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
        );
      if (fault === 'internal-error')
        throw new S3Failure(500, 'InternalError', 'We encountered an internal error. Please try again.');
      const objects = buckets.get(bucket);
      if (!objects) throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist');
      checkBody(req, body);
      const found = () => {
        const o = objects.get(key);
        if (!o) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.');
        return o;
      };
      switch (op) {
        case 'PutObject': {
          const etag = `"${createHash('md5').update(body).digest('hex')}"`;
          objects.set(key, { body, etag, metadata: metadataOf(req), lastModified: new Date() });
          res.writeHead(200, { etag });
          return void res.end();
        }
        case 'HeadObject': {
          res.writeHead(200, objectHeaders(found()));
          return void res.end();
        }
        case 'GetObject': {
          const o = found();
          res.writeHead(200, objectHeaders(o));
          if (fault === 'truncate') {
            // Headers promise the whole object; half of it comes, then the connection closes.
            res.write(o.body.subarray(0, o.body.length >> 1), () => res.socket?.destroy());
            return;
          }
          return void res.end(o.body);
        }
        case 'DeleteObject': {
          objects.delete(key);
          res.writeHead(204);
          return void res.end();
        }
        case 'ListObjectsV2': {
          const prefix = q.get('prefix') ?? '';
          const max = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
          const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
          const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
          const page = keys.slice(0, max);
          const truncated = keys.length > page.length;
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
              `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
              `<MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
              (truncated ? `<NextContinuationToken>${xmlEscape(page.at(-1)!)}</NextContinuationToken>` : '') +
              page
                .map((k) => {
                  const o = objects.get(k)!;
                  return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
                })
                .join('') +
              '</ListBucketResult>',
          );
        }
        case 'CreateMultipartUpload': {
          const uploadId = randomBytes(16).toString('hex');
          uploads.set(uploadId, { bucket, key, metadata: metadataOf(req), parts: new Map() });
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
              `<Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
          );
        }
        case 'UploadPart': {
          const upload = uploads.get(q.get('uploadId') ?? '');
          if (!upload || upload.bucket !== bucket || upload.key !== key) {
            throw new S3Failure(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
          }
          const n = Number(q.get('partNumber'));
          if (!Number.isInteger(n) || n < 1 || n > 10_000) {
            throw new S3Failure(
              400,
              'InvalidArgument',
              'Part number must be an integer between 1 and 10000, inclusive',
            );
          }
          const etag = `"${createHash('md5').update(body).digest('hex')}"`;
          upload.parts.set(n, { body, etag });
          res.writeHead(200, { etag });
          return void res.end();
        }
        case 'CompleteMultipartUpload': {
          const uploadId = q.get('uploadId') ?? '';
          const upload = uploads.get(uploadId);
          if (!upload || upload.bucket !== bucket || upload.key !== key) {
            throw new S3Failure(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
          }
          const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((p) => ({
            n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(p[1]!)?.[1]),
            etag: (/<ETag>([^<]*)<\/ETag>/.exec(p[1]!)?.[1] ?? '').replace(/&quot;/g, '"'),
          }));
          if (listed.length === 0)
            throw new S3Failure(400, 'MalformedXML', 'The XML you provided was not well-formed.');
          const bodies: Buffer[] = [];
          const md5s: Buffer[] = [];
          for (const [i, p] of listed.entries()) {
            if (i > 0 && p.n <= listed[i - 1]!.n) {
              throw new S3Failure(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
            }
            const part = upload.parts.get(p.n);
            if (!part || part.etag !== (p.etag.startsWith('"') ? p.etag : `"${p.etag}"`)) {
              throw new S3Failure(
                400,
                'InvalidPart',
                'One or more of the specified parts could not be found.',
              );
            }
            if (i < listed.length - 1 && part.body.length < minPart) {
              throw new S3Failure(
                400,
                'EntityTooSmall',
                'Your proposed upload is smaller than the minimum allowed object size.',
              );
            }
            bodies.push(part.body);
            md5s.push(Buffer.from(part.etag.slice(1, -1), 'hex'));
          }
          const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}"`;
          objects.set(key, {
            body: Buffer.concat(bodies),
            etag,
            metadata: upload.metadata,
            lastModified: new Date(),
          });
          uploads.delete(uploadId);
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
              `<Location>${xmlEscape(resource)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key>` +
              `<ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
          );
        }
        case 'AbortMultipartUpload': {
          if (!uploads.delete(q.get('uploadId') ?? '')) {
            throw new S3Failure(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
          }
          res.writeHead(204);
          return void res.end();
        }
      }
    } catch (error) {
      if (error instanceof S3Failure) return sendError(res, method, resource, error);
      throw error;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendError(
          res,
          req.method ?? 'GET',
          req.url ?? '/',
          new S3Failure(500, 'InternalError', String(error)),
        );
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials,
    buckets,
    calls,
    fail(op, fault, times = 1) {
      faults.push({ op, fault, left: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    openUploads: () => uploads.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
