import { parseArgs } from 'node:util';
import { isQunfaError } from '@qunfa/core';
import { type AppConfig, archiveTargetOf } from '../config.js';
import { openDatabase } from '../db/database.js';
import { archiveCampaign, archiveDue, restoreCampaign } from '../services/retention/archive-campaigns.js';
import { restoreArchivedDays, restoreRange } from '../services/retention/restore-archives.js';

export const ARCHIVE_USAGE = `usage: qunfa archive due [--batch <rows>]          archive every campaign past its workspace's archiveDays
       qunfa archive campaign --id <id> [--batch <rows>]  archive one finished campaign now
       qunfa archive restore --id <id>                    put an archived campaign's rows back
       qunfa archive restore --workspace <id> --from <YYYY-MM-DD> [--to <YYYY-MM-DD>]
                                                          those of every campaign of the workspace
                                                          that finished on those UTC days
Files go under ARCHIVE_DIR (default <DATA_DIR>/archive), or to the bucket ARCHIVE_S3_BUCKET
when set (see README). Results are JSON on stdout.`;

/** `qunfa archive …`: the retention job's archiving by hand, and re-imports; exits 0, 1 (refused) or 2 (usage). */
export async function archiveCommand(argv: string[], config: AppConfig): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: argv,
      options: {
        id: { type: 'string' },
        batch: { type: 'string' },
        workspace: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
      },
      allowPositionals: true,
    });
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${ARCHIVE_USAGE}\n`);
    return 2;
  }
  const [what] = parsed.positionals;
  const id = Number(parsed.values.id);
  const workspace = Number(parsed.values.workspace);
  const byDays =
    what === 'restore' && parsed.values.id === undefined && parsed.values.workspace !== undefined;
  const batch = parsed.values.batch === undefined ? undefined : Number(parsed.values.batch);
  if (
    !['due', 'campaign', 'restore'].includes(what ?? '') ||
    (what !== 'due' && !byDays && !(Number.isSafeInteger(id) && id > 0)) ||
    (byDays && !(Number.isSafeInteger(workspace) && workspace > 0 && parsed.values.from !== undefined)) ||
    (batch !== undefined && !(Number.isSafeInteger(batch) && batch > 0))
  ) {
    process.stderr.write(`${ARCHIVE_USAGE}\n`);
    return 2;
  }
  const target = archiveTargetOf(config);
  if (target === undefined) {
    process.stderr.write('set ARCHIVE_DIR or ARCHIVE_S3_BUCKET: the database is in memory\n');
    return 2;
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  const now = new Date(Date.now() + (config.clockOffsetMs ?? 0));
  const options = { target, now, ...(batch ? { batch } : {}) };
  try {
    const result = byDays
      ? await restoreArchivedDays(
          database.db,
          target,
          workspace,
          restoreRange({ from: parsed.values.from, to: parsed.values.to }),
          undefined,
          now,
        )
      : what === 'due'
        ? await archiveDue(database.db, now, options)
        : what === 'campaign'
          ? await archiveCampaign(database.db, id, options)
          : await restoreCampaign(database.db, id, options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    if (!isQunfaError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}
