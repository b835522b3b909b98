import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MAX = 64 * 1024;
const UPLOAD = 256 * 1024;

/** Sends a body chunk by chunk without Content-Length; resolves with the status, or 'reset' if the socket was cut first. */
function postChunked(url: string, path: string, contentType: string, chunks: number, chunkBytes: number) {
  return new Promise<number | 'reset'>((resolve) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('reset'));
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('request body limits and GraphiQL from local assets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', {
      worker: 'off',
      bodyLimits: { maxBodyBytes: MAX, maxUploadBytes: UPLOAD },
    });
  });
  afterAll(() => t?.stop());

  it('answers a body under the limit, and refuses one over it with 413 before parsing', async () => {
    const ok = await gqlOk<{ viewer: { role: string } }>(t.url, t.a.keys.viewer, '{ viewer { role } }');
    expect(ok.viewer.role).toBe('VIEWER');
    // Not JSON at all: were it parsed, the answer would be 400.
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.a.keys.admin}` },
      body: 'x'.repeat(MAX + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      errors: [
        {
          message: `the request body is larger than ${MAX} bytes`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit: MAX },
        },
      ],
    });
  });

  it('refuses a chunked body once it passes the limit', async () => {
    const status = await postChunked(t.url, '/graphql', 'application/json', 40, 8 * 1024);
    // 413, or the connection cut before the client could read it: never a parse.
    expect([413, 'reset']).toContain(status);
    const under = await postChunked(t.url, '/graphql', 'application/json', 2, 1024);
    expect(under).toBe(400);
  });

  it('lets a multipart upload over the body limit through, up to its own limit', async () => {
    const form = (bytes: number) => {
      const body = new FormData();
      body.set('operations', JSON.stringify({ query: '{ viewer { role } }', variables: {} }));
      body.set('map', '{}');
      body.set('0', new Blob([Buffer.alloc(bytes, 0x61)]), 'contacts.csv');
      return body;
    };
    const headers = { authorization: `Bearer ${t.a.keys.viewer}` };
    const under = await fetch(`${t.url}/graphql`, { method: 'POST', headers, body: form(MAX * 2) });
    expect(under.status).toBe(200);
    expect(((await under.json()) as { data: unknown }).data).toEqual({ viewer: { role: 'VIEWER' } });
    const over = await fetch(`${t.url}/graphql`, { method: 'POST', headers, body: form(UPLOAD + 1) });
    expect(over.status).toBe(413);
  });

  it('serves GraphiQL and its assets from this server, the key header prefilled from ?key=', async () => {
    const key = t.a.keys.viewer;
    const page = await fetch(`${t.url}/graphql?key=${encodeURIComponent(key)}`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(JSON.stringify(JSON.stringify({ Authorization: `Bearer ${key}` }, null, 2)));
    for (const asset of [...html.matchAll(/\/graphiql-assets\/[\w./-]+/g)].map((m) => m[0])) {
      const res = await fetch(`${t.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    expect(html).toContain('/graphiql-assets/yoga-graphiql.umd.js');
    const hostile = await fetch(
      `${t.url}/graphql?key=${encodeURIComponent('qf_</script><script>alert(1)')}`,
      {
        headers: { accept: 'text/html' },
      },
    );
    expect(await hostile.text()).not.toContain('alert(1)');
    expect((await fetch(`${t.url}/graphiql-assets/..%2fpackage.json`)).status).toBe(404);
  });
});
