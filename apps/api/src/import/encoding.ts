import { Transform } from 'node:stream';
import iconv from 'iconv-lite';

export const importEncodings = ['auto', 'utf8', 'gb18030'] as const;
export type ImportEncoding = (typeof importEncodings)[number];

/** How many leading bytes `auto` inspects. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Whether `bytes` is valid UTF-8, allowing a multi-byte sequence cut off at the end (the
 * sniffed prefix may end mid-character).
 */
export function looksLikeUtf8(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return true;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}

/** UTF-8 when it has a BOM or decodes cleanly, else GB18030 (what Excel in China exports). */
export function detectEncoding(prefix: Uint8Array): 'utf8' | 'gb18030' {
  if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) return 'utf8';
  return looksLikeUtf8(prefix) ? 'utf8' : 'gb18030';
}

/**
 * Decodes a byte stream to text: buffers up to 64 KB to detect the encoding when asked to,
 * strips a UTF-8 BOM, and streams the rest through iconv-lite. `onEncoding` reports the choice.
 */
export function decoder(encoding: ImportEncoding, onEncoding: (e: 'utf8' | 'gb18030') => void): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let decode: ReturnType<typeof iconv.getDecoder> | undefined;
  const start = (self: Transform, bytes: Buffer) => {
    const chosen = encoding === 'auto' ? detectEncoding(bytes) : encoding;
    onEncoding(chosen);
    decode = iconv.getDecoder(chosen, { stripBOM: true });
    const text = decode.write(bytes);
    if (text) self.push(text);
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      if (decode) {
        const text = decode.write(chunk);
        if (text) this.push(text);
        return done();
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (encoding !== 'auto' || pendingBytes >= SNIFF_BYTES) {
        start(this, Buffer.concat(pending));
        pending = [];
      }
      done();
    },
    flush(done) {
      if (!decode) start(this, Buffer.concat(pending));
      const rest = decode!.end();
      if (rest) this.push(rest);
      done();
    },
  });
}
