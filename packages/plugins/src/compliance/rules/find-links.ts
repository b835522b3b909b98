import { bmpFoldTable } from '../text/char-table.js';

/** A link found in a text: as written, its span, and its host (lower-cased, without `www.`). */
export interface FoundLink {
  url: string;
  host: string;
  start: number;
  end: number;
}

const tlds =
  'com|cn|net|org|edu|gov|io|cc|me|ly|co|info|top|xyz|vip|shop|link|site|club|online|tech|app|dev|gg|to|tw|hk|so|im|at|id|in|us|uk|jp|nu|biz|mobi|ink|wang|ltd|store|fun|live|pro|tv|ai|la|ru|de|fr|gl|cx|bz|mp';
const linkPattern = new RegExp(
  String.raw`(?<![\w@.\-/])(?:https?:\/\/[^\s<>"'{}|\\^\`\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+|(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:${tlds})(?![a-z0-9-])(?::\d{1,5})?(?:[/?#][^\s<>"'{}|\\^\`\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]*)?)`,
  'g',
);

/**
 * Folds each UTF-16 unit to ASCII where it has an ASCII look-alike (full-width letters and
 * punctuation, the ideographic full stop) and lower-cases, keeping the length, so that
 * offsets found in the result are offsets in the original: "ｔ。ｃｎ" is still t.cn.
 */
function foldForLinks(text: string): string {
  const folds = bmpFoldTable();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let f = c;
    if (c >= 0xff01 && c <= 0xff5e) f = c - 0xfee0;
    else if (c === 0x3002 || c === 0xff61) f = 0x2e;
    else if (c >= 0x41 && c <= 0x5a) f = c + 0x20;
    else if (c >= 0x80 && c < 0xd800 && folds[c]! > 0 && folds[c]! < 0x80) f = folds[c]!;
    out += String.fromCharCode(f >= 0x41 && f <= 0x5a ? f + 0x20 : f);
  }
  return out;
}

export function findLinks(text: string): FoundLink[] {
  const folded = foldForLinks(text);
  const links: FoundLink[] = [];
  for (const m of folded.matchAll(linkPattern)) {
    const folded = m[0].replace(/[.,;:!?)\]]+$/, '');
    const withoutScheme = folded.replace(/^https?:\/\//, '');
    const host = withoutScheme
      .split(/[/?#:]/, 1)[0]!
      .replace(/^www\./, '')
      .replace(/\.$/, '');
    if (!host.includes('.')) continue;
    const end = m.index + folded.length;
    links.push({ url: text.slice(m.index, end), host, start: m.index, end });
  }
  return links;
}

/** Whether `host` is `domain` or one of its subdomains. */
export function hostMatches(host: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/^www\./, '');
  return host === d || host.endsWith(`.${d}`);
}
