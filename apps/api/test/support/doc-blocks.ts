import { readFileSync } from 'node:fs';
import { format, inspect } from 'node:util';

/** A fenced code block of a Markdown page. */
export interface DocBlock {
  /** The page, relative to the repository root. */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The fence's words after the language (`file=echo-sms.ts`). */
  info: string;
  code: string;
}

/** Every fenced block of a page, in order. */
export function docBlocks(root: string, page: string): DocBlock[] {
  const text = readFileSync(`${root}/${page}`, 'utf8');
  const blocks: DocBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({
      page,
      line: start + 1,
      lang: open[1]!,
      info: open[2]!.trim(),
      code: `${body.join('\n')}\n`,
    });
  }
  return blocks;
}

/** `…` in an expectation: more elements or keys may follow. */
export const MORE: unique symbol = Symbol('…');

/** `…` as the `__more__` marker where it stands for more items; inside a string it stays text. */
function ellipsesOutsideStrings(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') {
        out += c + (text[++i] ?? '');
        continue;
      }
      if (c === quote) quote = undefined;
      out += c;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
      out += c;
    } else out += c === '…' ? '__more__' : c;
  }
  return out;
}

/** The value a comment states (`93`, `'warn'`, `{ total: 3, sent: 3, … }`), or undefined when it is prose. */
export function statedValue(comment: string): { value: unknown } | undefined {
  try {
    const body = ellipsesOutsideStrings(comment);
    const value = new Function('__more__', `"use strict"; return (${body});`)(MORE) as unknown;
    return typeof value === 'function' ? undefined : { value };
  } catch {
    return undefined;
  }
}

/** Whether `actual` is what the page states: exact, except where `…` leaves the rest open. */
export function matchesStated(actual: unknown, stated: unknown): boolean {
  if (Array.isArray(stated)) {
    if (!Array.isArray(actual)) return false;
    const open = stated.at(-1) === MORE;
    const items = open ? stated.slice(0, -1) : stated;
    if (open ? actual.length < items.length : actual.length !== items.length) return false;
    return items.every((item, i) => matchesStated(actual[i], item));
  }
  if (stated !== null && typeof stated === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    const entries = Object.entries(stated).filter(([key]) => key !== '__more__');
    const open = '__more__' in stated;
    const record = actual as Record<string, unknown>;
    if (!open && Object.keys(record).filter((k) => record[k] !== undefined).length !== entries.length)
      return false;
    return entries.every(([key, value]) => key in record && matchesStated(record[key], value));
  }
  if (typeof stated === 'string' && stated.endsWith('…')) {
    return typeof actual === 'string' && actual.startsWith(stated.slice(0, -1));
  }
  return Object.is(actual, stated);
}

export interface DocChecks {
  /** Called by rewritten lines: `expression; // value` and `const x = …; // value`. */
  check(line: number, comment: string, actual: unknown): void;
  /** Called by rewritten `console.log(…); // output` lines. */
  log(line: number, comment: string, ...args: unknown[]): void;
  /** What the block printed, line by line. */
  printed: string[];
  /** How many stated values were compared. */
  compared: number;
}

/** Checks that throw naming the page and line of the statement that differs. */
export function docChecks(block: DocBlock): DocChecks {
  const where = (line: number) => `${block.page}:${block.line + line}`;
  const checks: DocChecks = {
    printed: [],
    compared: 0,
    check(line, comment, actual) {
      const stated = statedValue(comment)!;
      checks.compared++;
      if (!matchesStated(actual, stated.value)) {
        throw new Error(`${where(line)} states ${comment}, but it is ${inspect(actual, { depth: 6 })}`);
      }
    },
    log(line, comment, ...args) {
      const text = format(...args);
      checks.printed.push(text);
      checks.compared++;
      const stated = statedValue(comment);
      const same =
        stated && args.length === 1
          ? matchesStated(args[0], stated.value)
          : text.replace(/\s+/g, ' ').trim() === comment.replace(/\s+/g, ' ').trim();
      if (!same) throw new Error(`${where(line)} prints "${comment}", but printed "${text}"`);
    },
  };
  return checks;
}

const keyword = /^\s*(?:const|let|var|import|export|return|for|if|while|async|function|type|interface)\b/;
const declarationStart = /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z_$][\w$]*)\b/;
const commentOnly = /^\s*\/\/\s?(.*)$/;
const trailing = /^(\s*)(.+?);\s*\/\/\s*(.+)$/;

/**
 * Rewrites a TypeScript block so that running it compares what the page states: a `// value`
 * after an expression or a declaration, or in the comment lines right after one (a multi-line
 * value may span them), and the output of a `console.log(…); // output` line. Comments that are
 * not values are prose. `name` is the global the checks are reached through.
 */
export function withStatedChecks(code: string, name: string): string {
  const lines = code.split('\n');
  const out: string[] = [];
  /** The statement being read: a declaration's name, or an expression's first line. */
  let current: { name?: string; start: number } | undefined;
  let ended: { name?: string; start: number; end: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = commentOnly.exec(line);
    if (comment && ended && ended.end === i - 1) {
      let j = i;
      const parts: string[] = [];
      for (; j < lines.length && commentOnly.test(lines[j]!); j++)
        parts.push(commentOnly.exec(lines[j]!)![1]!);
      const text = parts.join(' ');
      if (statedValue(text)) {
        out.push(...lines.slice(i, j));
        const at = JSON.stringify(text);
        if (ended.name) out.push(`${name}.check(${i}, ${at}, ${ended.name});`);
        else if (ended.start === ended.end) {
          const expr = out.length - (j - i) - 1;
          const indent = /^\s*/.exec(out[expr]!)![0];
          out[expr] = `${indent}${name}.check(${i}, ${at}, (${out[expr]!.trim().replace(/;$/, '')}));`;
        } else throw new Error(`line ${i}: a stated value after a multi-line expression: assign it first`);
        ended = undefined;
        i = j - 1;
        continue;
      }
    }
    if (!comment && line.trim() !== '') {
      if (!current) {
        const decl = declarationStart.exec(line);
        current = decl ? { name: decl[1]!, start: i } : keyword.test(line) ? { start: -1 } : { start: i };
      }
      const statementEnds = /;\s*(\/\/.*)?$/.test(line);
      const log = /^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+)$/.exec(line);
      const stated = trailing.exec(line);
      if (log) {
        out.push(`${log[1]}${name}.log(${i}, ${JSON.stringify(log[3])}, ${log[2]});`);
      } else if (stated && statedValue(stated[3]!) && current.start === i && !current.name) {
        out.push(`${stated[1]}${name}.check(${i}, ${JSON.stringify(stated[3])}, (${stated[2]}));`);
      } else if (stated && statedValue(stated[3]!) && current.name) {
        out.push(`${line} ${name}.check(${i}, ${JSON.stringify(stated[3])}, ${current.name});`);
      } else out.push(line);
      if (statementEnds) {
        ended = current.start === -1 && !current.name ? undefined : { ...current, end: i };
        current = undefined;
      }
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}
