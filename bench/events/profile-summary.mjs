/*
 * Summarises a V8 .cpuprofile (BENCH_PROFILE): self time by function and by file/package, and
 * inclusive time of the functions matching an optional pattern. `node profile-summary.mjs <file> [top] [pattern]`
 */
import { readFileSync } from 'node:fs';

const [file, topArg, pattern] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '');
  const pkg = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const src = url.match(/(apps|packages)\/([^/]+)\/src\/(.*)$/);
  if (src) return `${src[2]}/${src[3]}`;
  return url || '(native)';
};
const byFn = new Map();
const byFile = new Map();
for (const [id, us] of self) {
  const cf = nodes.get(id).callFrame;
  const fn = `${cf.functionName || '(anon)'} ${where(cf)}:${cf.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  const f = where(cf);
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const show = (title, map) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)}% ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`,
    );
};
show('self time by function', byFn);
show('self time by file or package', byFile);
if (pattern) {
  // Inclusive time of frames whose function or file matches, counted once per sample.
  const re = new RegExp(pattern);
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const cf = nodes.get(at).callFrame;
      const k = `${cf.functionName || '(anon)'} ${where(cf)}:${cf.lineNumber + 1}`;
      if (re.test(k) && !seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + us);
      }
    }
  }
  show(`inclusive time of /${pattern}/`, incl);
}
