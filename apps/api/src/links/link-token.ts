import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of HMAC-SHA256 kept in a token: 2^-64 odds for a forged one, short enough for SMS. */
const MAC_BYTES = 8;

function writeVarint(out: number[], n: number): void {
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

function readVarint(bytes: Buffer, from: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = from; i < bytes.length && i < from + 8; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return Number.isSafeInteger(value) ? { value, next: i + 1 } : undefined;
    scale *= 0x80;
  }
  return undefined;
}

const macOf = (key: Buffer, payload: Buffer) =>
  createHmac('sha256', key).update(payload).digest().subarray(0, MAC_BYTES);

/**
 * Tokens of tracked links: delivery id and link index as varints, then a truncated
 * HMAC-SHA256 of them, base64url. About 16 characters for a delivery id in the millions.
 */
export function createLinkTokens(secret: string) {
  const key = Buffer.from(secret, 'utf8');
  return {
    sign(ref: { deliveryId: string; link: number }): string {
      const bytes: number[] = [];
      writeVarint(bytes, Number(ref.deliveryId));
      writeVarint(bytes, ref.link);
      const payload = Buffer.from(bytes);
      return Buffer.concat([payload, macOf(key, payload)]).toString('base64url');
    },
    /** The link a token stands for; undefined for a malformed or forged token. */
    verify(token: string): { deliveryId: string; link: number } | undefined {
      if (!/^[A-Za-z0-9_-]{12,40}$/.test(token)) return undefined;
      const bytes = Buffer.from(token, 'base64url');
      const delivery = readVarint(bytes, 0);
      const link = delivery && readVarint(bytes, delivery.next);
      if (!delivery || !link || bytes.length !== link.next + MAC_BYTES) return undefined;
      const payload = bytes.subarray(0, link.next);
      if (!timingSafeEqual(macOf(key, payload), bytes.subarray(link.next))) return undefined;
      // A canonical encoding only, so that one link has one token.
      if (bytes.toString('base64url') !== token) return undefined;
      return { deliveryId: String(delivery.value), link: link.value };
    },
  };
}
export type LinkTokens = ReturnType<typeof createLinkTokens>;
