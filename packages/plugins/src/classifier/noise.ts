import type { ReplyLexicon } from './reply-lexicon.js';

/** Laughter and filler that carry no request: a reply of only these is noise. */
const FILLER = /(哈|呵|嘿|嘻|哦|啊|额|呃|嗷|h|lol|ha|he|hm+|em+|z)+/gu;
/** Runs along a keyboard row: typed without meaning. */
const KEYBOARD = /qwer|wert|erty|rtyu|tyui|yuio|uiop|asdf|sdfg|dfgh|fghj|ghjk|hjkl|zxcv|xcvb|cvbn|vbnm/;

/**
 * Noise (seed 000: 纯表情/符号/乱码): nothing left that reads as words once stickers
 * (`[微笑]`), emoji, symbols and punctuation are dropped; mojibake (锟斤拷) with next to
 * nothing else. Unless a cue matched (`hasCue`): one character typed again and again,
 * laughter or filler only, a keyboard mash, a long string of digits. `text` is normalised.
 */
export function isNoise(text: string, lexicons: readonly ReplyLexicon[], hasCue: boolean): boolean {
  let rest = text;
  let garbled = false;
  for (const l of lexicons) {
    if (l.stickers) rest = rest.replace(l.stickers, ' ');
    for (const m of l.mojibake) {
      const parts = rest.split(m);
      garbled ||= parts.length > 1;
      rest = parts.join(' ');
    }
  }
  const letters = rest.replace(/[^\p{L}\p{N}]/gu, '');
  if (letters === '' || (garbled && letters.length <= 2)) return true;
  if (hasCue) return false;
  if (letters.length >= 3 && new Set(letters).size === 1) return true;
  if (/^\d+$/.test(letters)) return letters.length >= 6;
  if (letters.length >= 2 && letters.replace(FILLER, '') === '') return true;
  if (/^[a-z]+$/.test(letters)) {
    if (KEYBOARD.test(letters)) return true;
    if (letters.length >= 3 && !/[aeiouy]/.test(letters)) return true;
  }
  return false;
}
