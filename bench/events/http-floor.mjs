/*
 * The floor under the intake legs: a bare node:http server answering a redirect, driven by the
 * same client (client.mjs, keep-alive, 32 in flight), CPU per request of the server process.
 * No database, no Redis, no routing: what one HTTP request costs on this machine, now.
 * `node http-floor.mjs [requests]`
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const n = Number(process.argv[2] ?? 3000);
const server = createServer((_req, res) => {
  res.writeHead(302, { location: 'https://example.com/offer', 'cache-control': 'no-store' });
  res.end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const requests = Array.from({ length: n }, (_, i) => ({
  method: 'GET',
  path: `/l/${i}`,
  headers: { 'user-agent': 'Mozilla/5.0 (iPhone)' },
  expect: 302,
}));
for (let round = 1; round <= 2; round++) {
  const child = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'client.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out = [];
  let ready;
  const isReady = new Promise((resolve) => {
    ready = resolve;
  });
  child.stdout.on('data', (c) => {
    out.push(c);
    if (Buffer.concat(out).includes('\n')) ready();
  });
  const done = new Promise((resolve) => child.on('exit', resolve));
  child.stdin.write(`${JSON.stringify({ base, concurrency: 32, requests })}\n`);
  await isReady;
  const cpu0 = process.cpuUsage();
  child.stdin.end('go\n');
  await done;
  const cpu = process.cpuUsage(cpu0);
  const text = Buffer.concat(out).toString('utf8');
  const r = JSON.parse(text.slice(text.indexOf('\n') + 1));
  console.log(
    `round ${round}: ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} CPU ms per request (server), ${((n * 1000) / r.wallMs).toFixed(0)} requests/s, ${r.failures.length} failed, load ${loadavg()[0].toFixed(1)}`,
  );
}
server.close();
