/// <reference path="./opencc-dicts.d.ts" />
import hkVariants from 'opencc-js/dict/HKVariantsRev';
import tsCharacters from 'opencc-js/dict/TSCharacters';
import twVariants from 'opencc-js/dict/TWVariantsRev';

/**
 * Traditional → simplified, one character at a time, from OpenCC's own tables: Taiwan and
 * Hong Kong variants to OpenCC's standard traditional form, then that to simplified
 * (the chain of OpenCC's `tw2s` / `hk2s` without the phrase step). Matching needs a
 * length-preserving map so that every position still points back at the original text;
 * phrase-level choices do not matter here because lexicon terms go through the same map.
 */
let table: Map<number, number> | undefined;

function parse(dict: string): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of dict.split('|')) {
    const [from, to] = entry.split(' ');
    if (!from || !to) continue;
    const f = from.codePointAt(0)!;
    const t = to.codePointAt(0)!;
    if ([...from].length === 1 && [...to].length === 1 && !map.has(f)) map.set(f, t);
  }
  return map;
}

/** The character map, built on first use (about 10 ms). */
export function t2sTable(): Map<number, number> {
  if (table) return table;
  const variants = parse(twVariants);
  for (const [f, t] of parse(hkVariants)) if (!variants.has(f)) variants.set(f, t);
  const ts = parse(tsCharacters);
  const result = new Map<number, number>();
  for (const [f, t] of ts) result.set(f, t);
  for (const [f, standard] of variants) {
    const simplified = ts.get(standard) ?? standard;
    if (simplified !== f) result.set(f, simplified);
  }
  table = result;
  return result;
}

/** Simplified form of one code point (itself when it has none). */
export function toSimplified(cp: number): number {
  return t2sTable().get(cp) ?? cp;
}
