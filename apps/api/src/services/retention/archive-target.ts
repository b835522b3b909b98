import { access, mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { QunfaError } from '@qunfa/core';

/**
 * Where archive files are kept: a local folder (the default) or an S3-compatible bucket
 * (`s3-target.ts`). An archive is first written whole to a local staging file (gzipped, flushed
 * to disk), then `store` makes it the archive — renamed into the folder, or uploaded and read
 * back — and only after `store` returned does a row leave the database. `open` gives a local
 * file with an archive's bytes for checking and re-import.
 */
export interface ArchiveTarget {
  /** For messages and logs: `folder /var/qunfa/archive`, `s3://bucket/prefix`. */
  readonly description: string;
  /** The local file an archive of `key` (`<workspace>/<YYYY-MM-DD>/campaign-<id>.jsonl.gz`) is written to first. */
  stagingPath(key: string): string;
  /**
   * Makes the whole, flushed file `staged` the archive of `key`, checked to hold `size` bytes of
   * `sha256`; the staged file is gone after (also when it fails). Returns the location recorded
   * in `campaign_archives.path`: the key itself in a folder, `s3://<bucket>/<object key>` in a bucket.
   */
  store(staged: string, key: string, expected: { size: number; sha256: string }): Promise<string>;
  /**
   * A local file holding the archive at `location` (fetched first when it is remote), and its
   * release. Missing: CONFLICT `ARCHIVE_CORRUPT`; a location this target does not hold:
   * `ARCHIVE_TARGET_REFUSED` (`other_target`).
   */
  open(location: string): Promise<{ path: string; release(): Promise<void> }>;
}

export const S3_LOCATION = /^s3:\/\/([^/]+)\/(.+)$/;

/** An archive a damaged or missing file stops: CONFLICT with `details.reason` ARCHIVE_CORRUPT. */
export const archiveCorrupt = (message: string) =>
  new QunfaError('CONFLICT', message, { details: { reason: 'ARCHIVE_CORRUPT' } });

/** The archive lies in another target than the one this server is configured with. */
export const otherTarget = (location: string, target: string) =>
  new QunfaError(
    'ARCHIVE_TARGET_REFUSED',
    `archive ${location} is not in ${target}: configure the target it was written to (ARCHIVE_DIR or ARCHIVE_S3_*)`,
    { details: { reason: 'other_target', location } },
  );

/** Flushes a folder, so that a rename in it survives a power cut. */
async function syncFolder(path: string) {
  const folder = await open(path, 'r');
  await folder.sync().finally(() => folder.close());
}

/** Archives as files under `dir`: staged as `<file>.tmp` beside the final name, renamed once whole. */
export function folderTarget(dir: string): ArchiveTarget {
  return {
    description: `folder ${dir}`,
    stagingPath: (key) => join(dir, `${key}.tmp`),
    async store(staged, key) {
      const path = join(dir, key);
      await mkdir(dirname(path), { recursive: true });
      await rename(staged, path);
      await syncFolder(dirname(path));
      return key;
    },
    async open(location) {
      if (S3_LOCATION.test(location)) throw otherTarget(location, `folder ${dir}`);
      const path = join(dir, location);
      await access(path).catch(() => {
        throw archiveCorrupt(`archive ${path} is missing`);
      });
      return { path, release: async () => {} };
    },
  };
}
