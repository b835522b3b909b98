import { toSimplified } from '../compliance/text/t2s-table.js';

/**
 * A reply as the classifier reads it: NFKC (full-width letters and punctuation to their
 * ASCII forms), lower case, traditional characters folded to simplified, curly apostrophes
 * straightened. One code point in, one out, so offsets stay comparable between cues and text.
 */
export function normaliseReply(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC').toLowerCase()) {
    if (ch === '\u2019' || ch === '\u2018') out += "'";
    else out += String.fromCodePoint(toSimplified(ch.codePointAt(0)!));
  }
  return out;
}
