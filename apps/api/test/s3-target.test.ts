import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { archiveTargetOf, configFromEnv } from '../src/config.js';
import { s3Failure, s3Target } from '../src/services/retention/s3-target.js';
import { type FakeS3, startFakeS3 } from './support/fake-s3.js';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('S3-compatible archive target (against a fake S3 that checks SigV4)', () => {
  let s3: FakeS3;
  let spool: string;
  const target = (overrides: Partial<Parameters<typeof s3Target>[0]> = {}) =>
    s3Target({
      bucket: 'archive',
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      prefix: 'qunfa/',
      credentials: s3.credentials,
      spoolDir: spool,
      partBytes: 5 * MiB,
      ...overrides,
    });
  /** A staged archive file of `bytes` random bytes, as the archive writer leaves it. */
  const staged = async (name: string, bytes: number) => {
    const body = randomBytes(bytes);
    const path = join(spool, `${name}.tmp`);
    await writeFile(path, body);
    return { path, body, expected: { size: body.length, sha256: sha256(body) } };
  };

  beforeAll(async () => {
    s3 = await startFakeS3({ region: 'cn-north-1' });
    spool = await mkdtemp(join(tmpdir(), 'qunfa-s3-spool-'));
  });
  afterAll(async () => {
    await s3?.close();
    if (spool) await rm(spool, { recursive: true, force: true });
  });
  beforeEach(() => s3.clearFaults());

  it('stores a small archive with one PutObject, reads it back, and opens it as a local file', async () => {
    const file = await staged('small', 40_000);
    const before = { ...s3.calls };
    const location = await target().store(file.path, '7/2026-10-01/campaign-1.jsonl.gz', file.expected);
    expect(location).toBe('s3://archive/qunfa/7/2026-10-01/campaign-1.jsonl.gz');
    const object = s3.buckets.get('archive')!.get('qunfa/7/2026-10-01/campaign-1.jsonl.gz')!;
    expect(object.body.equals(file.body)).toBe(true);
    expect(object.metadata).toEqual({ sha256: file.expected.sha256 });
    // Uploaded, then checked twice before it returned: its head and a full read-back.
    expect((s3.calls.PutObject ?? 0) - (before.PutObject ?? 0)).toBe(1);
    expect((s3.calls.HeadObject ?? 0) - (before.HeadObject ?? 0)).toBe(1);
    expect((s3.calls.GetObject ?? 0) - (before.GetObject ?? 0)).toBe(1);
    // The staged file and the read-back copy are gone.
    expect(await readdir(spool)).toEqual([]);

    const opened = await target().open(location);
    expect((await readFile(opened.path)).equals(file.body)).toBe(true);
    await opened.release();
    expect(await readdir(spool)).toEqual([]);
  });

  it('uploads a larger archive in parts (5 MiB each, the last smaller) and completes it', async () => {
    const file = await staged('large', 11 * MiB + 123);
    const before = { ...s3.calls };
    const location = await target().store(file.path, '7/2026-10-02/campaign-2.jsonl.gz', file.expected);
    expect((s3.calls.UploadPart ?? 0) - (before.UploadPart ?? 0)).toBe(3);
    expect((s3.calls.CompleteMultipartUpload ?? 0) - (before.CompleteMultipartUpload ?? 0)).toBe(1);
    expect((s3.calls.PutObject ?? 0) - (before.PutObject ?? 0)).toBe(0);
    const object = s3.buckets.get('archive')!.get('qunfa/7/2026-10-02/campaign-2.jsonl.gz')!;
    expect(object.body.equals(file.body)).toBe(true);
    expect(object.etag).toMatch(/-3"$/);
    expect(s3.openUploads()).toBe(0);
    const opened = await target().open(location);
    expect(sha256(await readFile(opened.path))).toBe(file.expected.sha256);
    await opened.release();
  }, 60_000);

  it('a wrong secret or an unknown key is ARCHIVE_TARGET_REFUSED (credentials), and nothing is stored', async () => {
    const file = await staged('wrong-secret', 1000);
    await expect(
      target({ credentials: { ...s3.credentials, secretAccessKey: 'not-the-secret' } }).store(
        file.path,
        '7/2026-10-03/campaign-3.jsonl.gz',
        file.expected,
      ),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'credentials', s3Code: 'SignatureDoesNotMatch', status: 403 },
    });
    const other = await staged('wrong-key', 1000);
    await expect(
      target({ credentials: { ...s3.credentials, accessKeyId: 'AKIANOBODY' } }).store(
        other.path,
        '7/2026-10-03/campaign-3.jsonl.gz',
        other.expected,
      ),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'credentials', s3Code: 'InvalidAccessKeyId' },
    });
    expect(s3.buckets.get('archive')!.has('qunfa/7/2026-10-03/campaign-3.jsonl.gz')).toBe(false);
    expect(await readdir(spool)).toEqual([]);
  });

  it('a missing bucket is ARCHIVE_TARGET_REFUSED (no_such_bucket)', async () => {
    const file = await staged('no-bucket', 1000);
    await expect(
      target({ bucket: 'nope' }).store(file.path, 'k.jsonl.gz', file.expected),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'no_such_bucket' },
    });
  });

  it('a 500 or a reset once is retried; every attempt failing is UNAVAILABLE and stores nothing', async () => {
    const once = await staged('once', 2000);
    s3.fail('PutObject', 'internal-error');
    s3.fail('GetObject', 'reset');
    await target().store(once.path, '7/2026-10-04/campaign-4.jsonl.gz', once.expected);
    expect(
      s3.buckets.get('archive')!.get('qunfa/7/2026-10-04/campaign-4.jsonl.gz')!.body.equals(once.body),
    ).toBe(true);

    for (const fault of ['internal-error', 'reset'] as const) {
      s3.clearFaults();
      s3.fail('PutObject', fault, Number.POSITIVE_INFINITY);
      const file = await staged(`always-${fault}`, 2000);
      await expect(
        target().store(file.path, `7/2026-10-05/${fault}.jsonl.gz`, file.expected),
      ).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { reason: 'archive_target_unreachable' },
      });
      expect(s3.buckets.get('archive')!.has(`qunfa/7/2026-10-05/${fault}.jsonl.gz`)).toBe(false);
    }
    expect(await readdir(spool)).toEqual([]);
  }, 60_000);

  it('a part that keeps failing aborts the multipart upload: no object, no parts left', async () => {
    s3.fail('UploadPart', 'reset', Number.POSITIVE_INFINITY);
    const file = await staged('parts-fail', 6 * MiB);
    const aborts = s3.calls.AbortMultipartUpload ?? 0;
    await expect(
      target().store(file.path, '7/2026-10-06/campaign-6.jsonl.gz', file.expected),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(s3.calls.AbortMultipartUpload).toBe(aborts + 1);
    expect(s3.openUploads()).toBe(0);
    expect(s3.buckets.get('archive')!.has('qunfa/7/2026-10-06/campaign-6.jsonl.gz')).toBe(false);
  }, 60_000);

  it('a GET cut short is fetched again; cut short every time it is UNAVAILABLE, and no copy is left', async () => {
    const file = await staged('truncated', 300_000);
    const location = await target().store(file.path, '7/2026-10-07/campaign-7.jsonl.gz', file.expected);
    s3.fail('GetObject', 'truncate');
    const opened = await target().open(location);
    expect(sha256(await readFile(opened.path))).toBe(file.expected.sha256);
    await opened.release();

    s3.fail('GetObject', 'truncate', Number.POSITIVE_INFINITY);
    await expect(target().open(location)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { reason: 'archive_target_unreachable' },
    });
    expect(await readdir(spool)).toEqual([]);
  }, 60_000);

  it('an object changed after upload fails the read-back: the store throws (rows would stay)', async () => {
    const file = await staged('changed', 5000);
    // The bucket answers the PUT but keeps other bytes of the same length (a broken proxy, a disk fault).
    const t = target();
    const key = '7/2026-10-08/campaign-8.jsonl.gz';
    const objects = s3.buckets.get('archive')!;
    const set = objects.set.bind(objects);
    objects.set = (k, o) =>
      set(
        k,
        k.endsWith(key)
          ? { ...o, body: Buffer.concat([o.body.subarray(0, 10), Buffer.alloc(o.body.length - 10)]) }
          : o,
      );
    try {
      await expect(t.store(file.path, key, file.expected)).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'ARCHIVE_CORRUPT' },
      });
    } finally {
      objects.set = set;
    }
  });

  it('a missing object is ARCHIVE_CORRUPT, and a folder location is not this target', async () => {
    await expect(target().open('s3://archive/qunfa/none.jsonl.gz')).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'ARCHIVE_CORRUPT' },
    });
    await expect(target().open('7/2026-10-01/campaign-1.jsonl.gz')).rejects.toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'other_target' },
    });
    await expect(target().open('s3://another-bucket/x.jsonl.gz')).rejects.toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'other_target' },
    });
  });

  it('is configured from ARCHIVE_S3_* (both keys or neither); unset, the folder stays the target', () => {
    const env = {
      DATA_DIR: '/var/lib/qunfa',
      ARCHIVE_S3_BUCKET: 'qunfa-archive',
      ARCHIVE_S3_REGION: 'cn-north-1',
      ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
      ARCHIVE_S3_PREFIX: 'qunfa/',
      ARCHIVE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      ARCHIVE_S3_SECRET_ACCESS_KEY: 'secret',
      ARCHIVE_S3_PART_MB: '8',
    };
    const config = configFromEnv(env);
    expect(config.archiveS3).toEqual({
      bucket: 'qunfa-archive',
      region: 'cn-north-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      prefix: 'qunfa/',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: undefined },
      partBytes: 8 * MiB,
    });
    expect(archiveTargetOf(config)?.description).toBe('s3://qunfa-archive/qunfa/');
    expect(() => configFromEnv({ ...env, ARCHIVE_S3_SECRET_ACCESS_KEY: '' })).toThrow(/both/);
    expect(
      configFromEnv({ ...env, ARCHIVE_S3_ACCESS_KEY_ID: '', ARCHIVE_S3_SECRET_ACCESS_KEY: '' }).archiveS3
        ?.credentials,
    ).toBeUndefined();
    const plain = configFromEnv({ DATA_DIR: '/var/lib/qunfa' });
    expect(plain.archiveS3).toBeUndefined();
    expect(archiveTargetOf(plain)?.description).toBe('folder /var/lib/qunfa/archive');
    expect(archiveTargetOf({ ...plain, dataDir: 'memory://' })).toBeUndefined();
  });

  it('names what failed: no credentials at all is a refusal, a dropped connection an outage', () => {
    // As the SDK's default chain throws when it finds no credentials (never reached here: it would ask the instance metadata service).
    const none = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(s3Failure(none, 'uploading')).toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'credentials' },
    });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(s3Failure(reset, 'uploading')).toMatchObject({
      code: 'UNAVAILABLE',
      details: { reason: 'archive_target_unreachable' },
    });
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(s3Failure(denied, 'uploading')).toMatchObject({
      code: 'ARCHIVE_TARGET_REFUSED',
      details: { reason: 'access_denied', status: 403 },
    });
  });
});
