import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { detectEncoding } from '../src/import/encoding.js';
import { failedRows } from '../src/import/row-parser.js';
import { type ImportOptions, runImport } from '../src/import/run-import.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const from = (bytes: Buffer | string) => Readable.from([Buffer.from(bytes)]);

describe.each(drivers)('contact import: CSV edge cases, encodings, merging, error reports (%s)', (driver) => {
  let t: TestApp;
  let ws: number;
  const options = (o: Partial<ImportOptions> = {}): ImportOptions => ({
    workspaceId: ws,
    actor: { kind: 'system', id: 'test' },
    encoding: 'auto',
    mapping: {},
    allOrNothing: false,
    ...o,
  });
  const contactsOf = (phone: string) =>
    rows<{ name: string | null; tags: string; province: string | null; attributes: Record<string, unknown> }>(
      t.app.deps.db,
      sql`SELECT c.name, array_to_string(ARRAY(SELECT name FROM tags WHERE id = ANY(c.tag_ids) ORDER BY name), '|') AS tags,
                 c.province, c.attributes
          FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id
          WHERE ci.kind = 'phone' AND ci.value = ${phone} AND c.workspace_id = ${ws}::bigint`,
    );

  beforeAll(async () => {
    t = await startTestApp(driver);
    ws = t.a.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("refuses, whole, an import that would pass the workspace's tag limit", async () => {
    const db = t.app.deps.db;
    const ws2 = t.b.id;
    const [{ n }] = (await rows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM tags WHERE workspace_id = ${ws2}::bigint`,
    )) as [{ n: number }];
    await db.execute(sql`UPDATE workspaces SET max_tags = ${n + 2} WHERE id = ${ws2}::bigint`);
    try {
      const before = await rows<{ n: number }>(
        db,
        sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws2}::bigint`,
      );
      const csv = '手机号,标签\n13800138001,甲|乙\n13800138002,丙\n';
      await expect(runImport(db, from(csv), options({ workspaceId: ws2 }))).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { field: 'tags' },
      });
      expect(
        await rows(db, sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws2}::bigint`),
      ).toEqual(before);
      expect(
        await rows(db, sql`SELECT count(*)::int AS n FROM tags WHERE workspace_id = ${ws2}::bigint`),
      ).toEqual([{ n }]);
      const fits = await runImport(
        db,
        from('手机号,标签\n13800138001,甲|乙\n'),
        options({ workspaceId: ws2 }),
      );
      expect(fits).toMatchObject({ created: 1, errors: [] });
    } finally {
      await db.execute(sql`UPDATE workspaces SET max_tags = 1000 WHERE id = ${ws2}::bigint`);
    }
  });

  it('reports every bad row of a file with hundreds of thousands of them', async () => {
    // Collecting errors with push(...errors) overflowed the stack at about 125,000.
    const bad = 150_000;
    const csv = `手机号\n${'12345\n'.repeat(bad)}`;
    const outcome = await runImport(t.app.deps.db, from(csv), options());
    expect([outcome.rows, outcome.created, outcome.errors.length]).toEqual([bad, 0, bad]);
    expect(outcome.errors.at(-1)).toMatchObject({ row: bad + 1, field: 'phone' });
  });

  it('reads UTF-8 with a BOM: quotes, commas and newlines inside fields, Chinese headers', async () => {
    const csv =
      '\uFEFF姓名,手机号,邮箱,标签,省份,城市,attr.备注\r\n' +
      '"张三, 总监",138 0013 8000,ZS@Example.com,VIP|老客户,浙江省,杭州市,"说 ""你好""\n第二行"\r\n' +
      '李四,+86-139-0000-0001,,新客,广东省,深圳市,\r\n';
    const outcome = await runImport(t.app.deps.db, from(csv), options());
    expect(outcome).toMatchObject({ encoding: 'utf8', rows: 2, created: 2, merged: 0, errors: [] });
    expect(await contactsOf('+8613800138000')).toEqual([
      {
        name: '张三, 总监',
        tags: 'VIP|老客户',
        province: '浙江省',
        attributes: { 备注: '说 "你好"\n第二行' },
      },
    ]);
  });

  it('detects GB18030 (what Excel exports in China) and reads it, or takes it when told', async () => {
    const csv = '姓名,手机,标签,区县\n王五,13700000005,会员,西湖区\n赵六,13700000006,会员、华东,滨江区\n';
    const gb = iconv.encode(csv, 'gb18030');
    expect(detectEncoding(gb)).toBe('gb18030');
    expect(detectEncoding(Buffer.from(csv))).toBe('utf8');
    const auto = await runImport(t.app.deps.db, from(gb), options());
    expect(auto).toMatchObject({ encoding: 'gb18030', rows: 2, created: 2, errors: [] });
    expect((await contactsOf('+8613700000006'))[0]).toMatchObject({ name: '赵六', tags: '会员|华东' });
    const told = await runImport(t.app.deps.db, from(gb), options({ encoding: 'gb18030' }));
    expect(told).toMatchObject({ rows: 2, created: 0, merged: 2 });
  });

  it('reports bad rows with row number and reason, never dropping them, and applies the rest', async () => {
    const csv = [
      'name,phone,email,last_active',
      'ok,13600000001,,2026-01-05 08:00',
      'badphone,12345,,',
      'bademail,13600000003,not-an-email,',
      'noid,,,',
      'short,13600000005',
      'baddate,13600000006,,yesterday-ish',
      'ok2,13600000007,,',
      'badquote,"13600000008"x,,',
      'ok3,13600000009,,',
    ].join('\n');
    const outcome = await runImport(t.app.deps.db, from(csv), options());
    expect(outcome.rows).toBe(9);
    expect(outcome.created).toBe(2);
    expect(outcome.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'phone'],
      [4, 'email'],
      [5, '(identities)'],
      [6, '(row)'],
      [7, 'lastActiveAt'],
      [9, '(row)'],
      [10, '(row)'],
    ]);
    expect(outcome.errors.at(-1)?.reason).toMatch(/quote is never closed/);
    // Cells the database cannot store are row errors too, not a failed import.
    const odd = await runImport(
      t.app.deps.db,
      from(
        'name,phone,last_active\nn\u0000ul,13600000010,\nyear0,13600000011,0000-01-01 10:00\nbig,13600000012,+010000-01-01\nok,13600000013,9999-12-31 10:00\ntwo,1360000001x,yesterday\n',
      ),
      options(),
    );
    // Every bad field of a row is reported, not only the first (row 6: phone and date).
    expect(odd.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'name'],
      [3, 'lastActiveAt'],
      [4, 'lastActiveAt'],
      [6, 'phone'],
      [6, 'lastActiveAt'],
    ]);
    expect(odd).toMatchObject({ rows: 5, created: 1 });
    expect(failedRows(odd.errors)).toBe(4);
  });

  it('reads dates and times without a zone as Beijing time, one-digit fields included', async () => {
    const csv = [
      'phone,last_active',
      '13900000101,2026-01-05 08:00',
      '13900000102,2026/1/5 8:00',
      '13900000103,2026-01-05',
      '13900000104,2026/1/5 8:00:30',
      '13900000105,2026-01-05T08:00:00Z',
    ].join('\n');
    const outcome = await runImport(t.app.deps.db, from(csv), options());
    expect(outcome).toMatchObject({ rows: 5, created: 5, errors: [] });
    const got = await rows<{ value: string; at: string }>(
      t.app.deps.db,
      sql`SELECT ci.value, to_char(c.last_active_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at
          FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id
          WHERE ci.value LIKE '+86139000001%' AND c.workspace_id = ${ws}::bigint ORDER BY ci.value`,
    );
    expect(got.map((g) => g.at)).toEqual([
      '2026-01-05 00:00:00',
      '2026-01-05 00:00:00',
      '2026-01-04 16:00:00',
      '2026-01-05 00:00:30',
      '2026-01-05 08:00:00',
    ]);
  });

  it('merges duplicates by identity: within the file, and into existing contacts', async () => {
    const csv = [
      'name,phone,email,tags,attr.level',
      'first,13500000001,,A,gold',
      ',13500000001,dup@example.com,B,',
      'other,13500000002,zs@example.com,C,silver',
    ].join('\n');
    const outcome = await runImport(t.app.deps.db, from(csv), options());
    expect(outcome).toMatchObject({ rows: 3, created: 1, merged: 2, errors: [] });
    expect(await contactsOf('+8613500000001')).toEqual([
      { name: 'first', tags: 'A|B', province: null, attributes: { level: 'gold' } },
    ]);
    // zs@example.com belongs to 张三 from the first test: the row updates that contact (the
    // file's non-empty cells win, empty ones keep what was there, tags and attributes add up).
    expect(await contactsOf('+8613800138000')).toEqual([
      {
        name: 'other',
        tags: 'C|VIP|老客户',
        province: '浙江省',
        attributes: { 备注: '说 "你好"\n第二行', level: 'silver' },
      },
    ]);
  });

  it('refuses a row whose identities belong to two contacts; all-or-nothing applies nothing', async () => {
    const conflict = 'phone,email\n13600000001,dup@example.com\n';
    const outcome = await runImport(t.app.deps.db, from(conflict), options());
    expect(outcome.errors).toEqual([
      { row: 2, field: '(identities)', reason: expect.stringMatching(/merge them first/) },
    ]);
    const [before] = await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM contacts`);
    const strict = runImport(
      t.app.deps.db,
      from('phone\n13100000001\nnope\n'),
      options({ allOrNothing: true }),
    );
    await expect(strict).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // The first 100 bad rows, in file order, unreadable ones included.
    const rejected = await runImport(
      t.app.deps.db,
      from('phone,name\n13100000001,a\nnope,b\n13100000003,"c"x\n13100000004,d\n'),
      options({ allOrNothing: true }),
    ).catch((e) => e);
    expect(rejected.details.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [3, 'phone'],
      [4, '(row)'],
      [5, '(row)'],
    ]);
    const [after] = await rows<{ n: number }>(t.app.deps.db, sql`SELECT count(*)::int AS n FROM contacts`);
    expect(after).toEqual(before);
  });

  it('streams a large file in several COPY chunks, creating tags midway, values escaped exactly', async () => {
    const base = 15_000_000_000;
    const fresh = '新标签';
    const n = 6000;
    const name = (i: number) => (i % 500 === 7 ? `tab\there\\back "q" ${i}` : `客户${i}`);
    const wxid = (i: number) => `w{x},"\\${base + i}`;
    const lines = ['姓名,手机,微信号,标签,attr.note'];
    for (let i = 0; i < n; i++) {
      const tags = i < 5000 ? '老客' : `老客|${fresh}${Math.floor(i / 400)}`;
      const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;
      lines.push(`${cell(name(i))},${base + i},${cell(wxid(i))},${tags},${cell(`a\\b\r\nc${i}`)}`);
    }
    const outcome = await runImport(t.app.deps.db, from(`${lines.join('\n')}\n`), options());
    expect(outcome).toMatchObject({ rows: n, created: n, merged: 0, errors: [] });
    for (const i of [0, 7, 4999, 5007, n - 1]) {
      const [c] = await rows<{ name: string; wxid: string; tags: string; note: string }>(
        t.app.deps.db,
        sql`SELECT c.name, w.value AS wxid, c.attributes->>'note' AS note,
                   array_to_string(ARRAY(SELECT name FROM tags WHERE id = ANY(c.tag_ids) ORDER BY name), '|') AS tags
            FROM contacts c JOIN contact_identities p ON p.contact_id = c.id AND p.kind = 'phone'
            JOIN contact_identities w ON w.contact_id = c.id AND w.kind = 'wxid'
            WHERE p.value = ${`+86${base + i}`} AND c.workspace_id = ${ws}::bigint`,
      );
      expect(c).toEqual({
        name: name(i),
        wxid: wxid(i),
        note: `a\\b\r\nc${i}`,
        tags: i < 5000 ? '老客' : `${fresh}${Math.floor(i / 400)}|老客`,
      });
    }
  });

  it('imports over GraphQL multipart upload, with progress and a downloadable error report', async () => {
    const csv = iconv.encode('手机,姓名,等级\n13200000001,甲,1\n1320000000x,乙,2\n', 'gb18030');
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: 'mutation($f: File!, $m: JSON) { importContacts(file: $f, mapping: $m) { id state } }',
        variables: { f: null, m: { 等级: 'attribute:level' } },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob([new Uint8Array(csv)]), 'list.csv');
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.a.keys.operator}` },
      body: form,
    });
    const body = (await res.json()) as { data: { importContacts: { id: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const id = body.data.importContacts.id;
    let current: {
      state: string;
      rows: number;
      created: number;
      failed: number;
      errorReportCsv: string;
      encoding: string;
    };
    for (let i = 0; ; i++) {
      current = (
        await gqlOk<{ contactImport: typeof current }>(
          t.url,
          t.a.keys.viewer,
          'query($id: ID!) { contactImport(id: $id) { state rows created failed encoding errorReportCsv } }',
          { id },
        )
      ).contactImport;
      if (current.state !== 'running' || i > 100) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(current).toMatchObject({
      state: 'completed',
      rows: 2,
      created: 1,
      failed: 1,
      encoding: 'gb18030',
    });
    expect(current.errorReportCsv).toBe(
      '\uFEFFrow,field,reason\n3,phone,not a mainland mobile or E.164 phone number\n',
    );
  });
});
