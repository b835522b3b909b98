#!/usr/bin/env node
/*
 * CPU time PostgreSQL spent per statement and protocol phase (parse, bind, execute), from a server
 * log written with `log_statement_stats = on` for the bench's database (`BENCH_PG_SET=log_statement_stats=on`):
 *
 *   node pg-statement-stats.mjs <server log> <database> [from HH:MM:SS] [to HH:MM:SS] [top]
 *
 * Needs a log line prefix with the database (`%d`, as Debian's `%m [%p] %q%u@%d `). Each entry is
 * the backend's user + system time for that message, so a leg's figures add up to its PG CPU.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const [log, database, from = '00:00:00', to = '99:99:99', top = '30'] = process.argv.slice(2);
if (!log || !database) {
  console.error(
    'usage: node pg-statement-stats.mjs <server log> <database> [from HH:MM:SS] [to HH:MM:SS] [top]',
  );
  process.exit(2);
}
const head = /^\d{4}-\d\d-\d\d (\d\d:\d\d:\d\d)\.\d+ \S+ \[(\d+)\] \S*@(\S+) (\w+):\s*(.*)$/;
const usage = /([\d.]+) s user, ([\d.]+) s system/;
/** Per backend: the entry being read (its phase, time, CPU, statement). */
const open = new Map();
const totals = new Map();
let reading; // [pid, 'detail' | 'statement'] of the entry the continuation lines belong to

function close(pid) {
  const e = open.get(pid);
  open.delete(pid);
  if (!e || e.cpu === undefined || e.at < from || e.at > to) return;
  const key = `${e.phase.padEnd(8)} ${(e.statement ?? '?').replace(/\s+/g, ' ').trim().slice(0, 110)}`;
  const t = totals.get(key) ?? { n: 0, cpu: 0 };
  t.n++;
  t.cpu += e.cpu;
  totals.set(key, t);
}

for await (const line of createInterface({ input: createReadStream(log) })) {
  const m = head.exec(line);
  if (m) {
    const [, at, pid, db, kind, rest] = m;
    reading = undefined;
    if (db !== database) continue;
    if (kind === 'LOG' && rest.endsWith('STATISTICS')) {
      close(pid);
      open.set(pid, { at, phase: rest.split(' ')[0] });
      reading = [pid, 'stats'];
    } else if (kind === 'DETAIL' && open.has(pid)) reading = [pid, 'detail'];
    else if (kind === 'STATEMENT' && open.has(pid)) {
      open.get(pid).statement = rest;
      reading = [pid, 'statement'];
    }
    continue;
  }
  if (!reading) continue;
  const e = open.get(reading[0]);
  if (reading[1] === 'detail' && e.cpu === undefined) {
    const u = usage.exec(line);
    if (u) e.cpu = Number(u[1]) + Number(u[2]);
  } else if (reading[1] === 'statement') e.statement += ` ${line.trim()}`;
}
for (const pid of [...open.keys()]) close(pid);

const rows = [...totals].sort((a, b) => b[1].cpu - a[1].cpu);
const all = rows.reduce((s, [, t]) => s + t.cpu, 0);
console.log(
  `${database} ${from}–${to}: ${(all * 1000).toFixed(1)} CPU ms in ${rows.reduce((s, [, t]) => s + t.n, 0)} messages`,
);
console.log('  CPU ms  count  µs each  phase    statement');
for (const [key, t] of rows.slice(0, Number(top))) {
  console.log(
    `${(t.cpu * 1000).toFixed(1).padStart(8)} ${String(t.n).padStart(6)} ${((t.cpu * 1e6) / t.n).toFixed(0).padStart(8)}  ${key}`,
  );
}
