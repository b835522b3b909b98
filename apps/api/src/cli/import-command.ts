import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isQunfaError } from '@qunfa/core';
import type { AppConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { type ColumnTarget, parseTarget } from '../import/columns.js';
import { type ImportEncoding, importEncodings } from '../import/encoding.js';
import { type ImportProgress, runImport } from '../import/run-import.js';
import { errorReportCsv } from '../services/contact-imports.js';

const USAGE = `usage: qunfa import <file.csv> --workspace <id> [--encoding auto|utf8|gb18030]
       [--map <header>=<target>]… [--all-or-nothing] [--errors <report.csv>]`;

function bar(p: ImportProgress, bytesRead: number, size: number): string {
  const share = size > 0 ? Math.min(1, bytesRead / size) : 0;
  const width = 30;
  const filled = Math.round(share * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${p.rows.toLocaleString('en-US')} rows, ${p.failed} bad  ${p.phase}   `;
}

/** `qunfa import`: streams a CSV into a workspace with a progress bar; exit code 1 when rejected. */
export async function importCommand(args: string[], config: AppConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      encoding: { type: 'string', default: 'auto' },
      map: { type: 'string', multiple: true, default: [] },
      'all-or-nothing': { type: 'boolean', default: false },
      errors: { type: 'string' },
    },
  });
  const file = positionals[0];
  const workspaceId = Number(values.workspace);
  const encoding = values.encoding as ImportEncoding;
  if (!file || !Number.isSafeInteger(workspaceId) || !importEncodings.includes(encoding)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const mapping: Record<string, ColumnTarget> = {};
  for (const m of values.map) {
    const at = m.lastIndexOf('=');
    const target = at > 0 ? parseTarget(m.slice(at + 1)) : undefined;
    if (!target) {
      process.stderr.write(
        `--map ${m}: expected <header>=<name|phone|email|…|tags|attribute:<key>|ignore>\n`,
      );
      return 2;
    }
    mapping[m.slice(0, at)] = target;
  }
  const size = statSync(file).size;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  const started = Date.now();
  try {
    const outcome = await runImport(database.db, stream, {
      workspaceId,
      actor: { kind: 'system', id: 'cli' },
      encoding,
      mapping,
      allOrNothing: values['all-or-nothing'],
      onProgress: (p) => process.stderr.write(bar(p, stream.bytesRead, size)),
    });
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write('\n');
    process.stdout.write(
      `${outcome.rows.toLocaleString('en-US')} rows (${outcome.encoding}) in ${seconds.toFixed(1)} s: ` +
        `${outcome.created} created, ${outcome.merged} merged, ${outcome.errors.length} bad\n`,
    );
    if (outcome.errors.length > 0 && values.errors) {
      writeFileSync(values.errors, errorReportCsv(outcome.errors));
      process.stdout.write(`error report: ${values.errors}\n`);
    }
    return 0;
  } catch (error) {
    // One transaction: whatever went wrong, it was rolled back whole.
    process.stderr.write(
      isQunfaError(error)
        ? `\nimport refused, nothing applied: ${error.message}\n`
        : `\nimport failed, nothing applied: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (isQunfaError(error) && values.errors && Array.isArray(error.details.errors)) {
      writeFileSync(values.errors, errorReportCsv(error.details.errors as never));
    }
    return 1;
  } finally {
    await database.close();
  }
}
