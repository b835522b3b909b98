import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { isQunfaError, QunfaError } from '@qunfa/core';
import { type ArchiveTarget, archiveCorrupt, otherTarget, S3_LOCATION } from './archive-target.js';

export interface S3TargetOptions {
  bucket: string;
  /** The bucket's region (signed into every request). */
  region: string;
  /** Unset: AWS's own regional endpoint. MinIO, Aliyun OSS, Tencent COS: their S3-compatible endpoint. */
  endpoint?: string | undefined;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO). Default false. */
  forcePathStyle?: boolean | undefined;
  /** Start of every object key (`qunfa/`). Default none. */
  prefix?: string | undefined;
  /** Unset: the SDK's default chain (AWS_ACCESS_KEY_ID…, shared config, instance role). */
  credentials?:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }
    | undefined;
  /** Files up to this size go in one PutObject, larger ones in parts of this size. Default 16 MiB; S3's least is 5 MiB. */
  partBytes?: number | undefined;
  /** Local folder archives are staged in before upload and fetched to for re-import. */
  spoolDir: string;
  /** Attempts of each request (the SDK's retries of 5xx and dropped connections), and of a download cut short. Default 3. */
  maxAttempts?: number | undefined;
}

const MiB = 1024 * 1024;

/** The call that failed, turned into a typed error: a refusal (credentials, bucket, access) or an outage. */
export function s3Failure(error: unknown, what: string): QunfaError {
  if (isQunfaError(error)) return error;
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? e.code ?? 'Error';
  const refused = (reason: string, message: string) =>
    new QunfaError('ARCHIVE_TARGET_REFUSED', `${what}: ${message}`, {
      details: { reason, s3Code: name, ...(status ? { status } : {}) },
      cause: error,
    });
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return refused(
      'credentials',
      `the bucket refused the archive credentials (${name}): check ARCHIVE_S3_ACCESS_KEY_ID and ARCHIVE_S3_SECRET_ACCESS_KEY`,
    );
  }
  if (name === 'CredentialsProviderError') {
    return refused(
      'credentials',
      "no credentials for the bucket: set ARCHIVE_S3_ACCESS_KEY_ID and ARCHIVE_S3_SECRET_ACCESS_KEY (or the AWS SDK's own AWS_* variables, profile or role)",
    );
  }
  if (name === 'NoSuchBucket')
    return refused(
      'no_such_bucket',
      'no such bucket: check ARCHIVE_S3_BUCKET, ARCHIVE_S3_REGION and ARCHIVE_S3_ENDPOINT',
    );
  if (status === 403 || name === 'AccessDenied') {
    return refused(
      'access_denied',
      `the bucket refused access (${name}): wrong credentials, or a key without s3:PutObject / s3:GetObject on the prefix`,
    );
  }
  if (status !== undefined && status >= 400 && status < 500)
    return refused('rejected', `${name} (HTTP ${status}): ${e.message ?? ''}`);
  return new QunfaError(
    'UNAVAILABLE',
    `${what}: the archive bucket did not answer (${name}${status ? `, HTTP ${status}` : ''}): retry later`,
    {
      details: { reason: 'archive_target_unreachable', s3Code: name, ...(status ? { status } : {}) },
      cause: error,
    },
  );
}

/** Counts and hashes what flows through. */
function digestStream() {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/**
 * Archives as objects of an S3-compatible bucket, through `@aws-sdk/client-s3`. A store uploads
 * the staged file — one PutObject up to `partBytes`, else a multipart upload — with each body's
 * Content-MD5 (checked by every S3-compatible service), then checks the object: HeadObject for its
 * size and the sha256 recorded in its metadata, and a full read-back hashed with sha256. Only then
 * does it return, and only then are rows removed. The SDK's default CRC checksums (which several
 * S3-compatible services refuse) are asked for only where an operation requires them.
 */
export function s3Target(options: S3TargetOptions): ArchiveTarget {
  const bucket = options.bucket;
  const prefix = options.prefix ?? '';
  const partBytes = Math.max(options.partBytes ?? 16 * MiB, 5 * MiB);
  const attempts = options.maxAttempts ?? 3;
  // The SDK is loaded on first use (~0.4 s of a loaded machine's start-up): not at all without a bucket.
  let loading: Promise<{ sdk: typeof import('@aws-sdk/client-s3'); client: S3Client }> | undefined;
  const sdk = () =>
    (loading ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        maxAttempts: attempts,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
      }),
    })));
  const description = `s3://${bucket}/${prefix}`;
  const send = async <T>(
    what: string,
    call: (s3: { sdk: typeof import('@aws-sdk/client-s3'); client: S3Client }) => Promise<T>,
  ): Promise<T> => {
    const s3 = await sdk();
    try {
      return await call(s3);
    } catch (error) {
      throw s3Failure(error, what);
    }
  };
  const md5 = (body: Buffer) => createHash('md5').update(body).digest('base64');

  /** Downloads the object to `path`; its sha256 and size. A download cut short is tried again, then UNAVAILABLE. */
  const download = async (key: string, path: string) => {
    for (let attempt = 1; ; attempt++) {
      const got = await send(`reading s3://${bucket}/${key}`, ({ sdk, client }) =>
        client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key })),
      ).catch((error: QunfaError) => {
        if (error.details.s3Code === 'NoSuchKey')
          throw archiveCorrupt(`archive s3://${bucket}/${key} is missing`);
        throw error;
      });
      const digest = digestStream();
      try {
        await pipeline(got.Body as NodeJS.ReadableStream, digest.stream, createWriteStream(path));
        const result = digest.result();
        if (got.ContentLength !== undefined && result.bytes !== got.ContentLength) {
          throw new Error(`got ${result.bytes} of ${got.ContentLength} bytes`);
        }
        return result;
      } catch (error) {
        if (attempt >= attempts) {
          throw new QunfaError(
            'UNAVAILABLE',
            `reading s3://${bucket}/${key}: the download was cut short ${attempts} times (${error instanceof Error ? error.message : String(error)}): retry later`,
            { details: { reason: 'archive_target_unreachable' }, cause: error },
          );
        }
      }
    }
  };

  const upload = async (staged: string, key: string, size: number, sha256: string) => {
    const metadata = { sha256 };
    const file = await open(staged, 'r');
    try {
      if (size <= partBytes) {
        const body = await file.readFile();
        await send(`uploading s3://${bucket}/${key}`, ({ sdk, client }) =>
          client.send(
            new sdk.PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              ContentLength: body.length,
              ContentMD5: md5(body),
              ContentType: 'application/gzip',
              Metadata: metadata,
            }),
          ),
        );
        return;
      }
      const created = await send(`starting the upload of s3://${bucket}/${key}`, ({ sdk, client }) =>
        client.send(
          new sdk.CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ContentType: 'application/gzip',
            Metadata: metadata,
          }),
        ),
      );
      const uploadId = created.UploadId!;
      try {
        const parts: { PartNumber: number; ETag: string }[] = [];
        const buffer = Buffer.alloc(partBytes);
        for (let at = 0, n = 1; at < size; at += partBytes, n++) {
          const { bytesRead } = await file.read(buffer, 0, Math.min(partBytes, size - at), at);
          const body = Buffer.from(buffer.subarray(0, bytesRead));
          const done = await send(`uploading part ${n} of s3://${bucket}/${key}`, ({ sdk, client }) =>
            client.send(
              new sdk.UploadPartCommand({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                PartNumber: n,
                Body: body,
                ContentLength: body.length,
                ContentMD5: md5(body),
              }),
            ),
          );
          parts.push({ PartNumber: n, ETag: done.ETag! });
        }
        await send(`completing the upload of s3://${bucket}/${key}`, ({ sdk, client }) =>
          client.send(
            new sdk.CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          ),
        );
      } catch (error) {
        // Parts left behind cost storage until the bucket's lifecycle rule removes them: abort them now if we can.
        await send('aborting the upload', ({ sdk, client }) =>
          client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })),
        ).catch(() => {});
        throw error;
      }
    } finally {
      await file.close();
    }
  };

  return {
    description,
    stagingPath: (key) =>
      join(options.spoolDir, `${key.replace(/\//g, '_')}.${randomBytes(4).toString('hex')}.tmp`),
    async store(staged, key, expected) {
      const objectKey = `${prefix}${key}`;
      const location = `s3://${bucket}/${objectKey}`;
      try {
        await upload(staged, objectKey, expected.size, expected.sha256);
        const head = await send(`checking ${location}`, ({ sdk, client }) =>
          client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: objectKey })),
        );
        if (head.ContentLength !== expected.size || head.Metadata?.sha256 !== expected.sha256) {
          throw archiveCorrupt(
            `${location} does not hold what was uploaded (${head.ContentLength} bytes, sha256 ${head.Metadata?.sha256 ?? 'none'}; expected ${expected.size}, ${expected.sha256})`,
          );
        }
        const readBack = join(
          options.spoolDir,
          `${key.replace(/\//g, '_')}.${randomBytes(4).toString('hex')}.check`,
        );
        try {
          const back = await download(objectKey, readBack);
          if (back.bytes !== expected.size || back.sha256 !== expected.sha256) {
            throw archiveCorrupt(
              `${location} does not read back as written (sha256 ${back.sha256}, expected ${expected.sha256})`,
            );
          }
        } finally {
          await rm(readBack, { force: true });
        }
        return location;
      } finally {
        await rm(staged, { force: true });
      }
    },
    async open(location) {
      const m = S3_LOCATION.exec(location);
      if (!m || m[1] !== bucket) throw otherTarget(location, description);
      await mkdir(options.spoolDir, { recursive: true });
      const path = join(options.spoolDir, `restore-${randomBytes(8).toString('hex')}.jsonl.gz`);
      try {
        await download(m[2]!, path);
      } catch (error) {
        await rm(path, { force: true });
        throw error;
      }
      return { path, release: () => rm(path, { force: true }) };
    },
  };
}
