/*
 * The load generator, in a process of its own so that the API process's CPU time is the API's:
 * reads {base, concurrency, requests:[{method, path, headers, body, expect}]} as one JSON line on
 * stdin, answers "ready" on stdout, waits for "go" on stdin (the bench starts measuring between
 * the two), sends them over HTTP keep-alive with `concurrency` in flight, and writes
 * {latencies, failures, cpuMs} as JSON on stdout. Bounded: each request once, 30 s timeout each.
 */
const chunks = [];
let input;
for await (const chunk of process.stdin) {
  chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const end = text.indexOf('\n');
  if (input === undefined && end >= 0) {
    input = JSON.parse(text.slice(0, end));
    process.stdout.write('ready\n');
  }
  if (input !== undefined && text.slice(end + 1).includes('go')) break;
}
const { base, concurrency, requests } = input;
const latencies = new Array(requests.length);
const failures = [];
let next = 0;
const cpu0 = process.cpuUsage();
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const i = next++;
      const r = requests[i];
      const t0 = performance.now();
      try {
        const res = await fetch(base + r.path, {
          method: r.method,
          headers: r.headers,
          body: r.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (res.status !== r.expect || (r.mustNotContain && text.includes(r.mustNotContain)))
          failures.push(`${i} ${r.path.slice(0, 40)}: ${res.status} ${text.slice(0, 200)}`);
      } catch (error) {
        failures.push(
          `${i} ${r.path.slice(0, 40)}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      latencies[i] = performance.now() - t0;
    }
  }),
);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ latencies, failures, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
