import { describe, expect, it } from 'vitest';
import { createLinkTokens } from './link-token.js';

describe('link tokens', () => {
  const tokens = createLinkTokens('a-test-secret-of-enough-length-123');

  it('round-trips a delivery and link, short enough for SMS', () => {
    for (const deliveryId of ['1', '127', '128', '16384', '123456789', String(2 ** 52)]) {
      const token = tokens.sign({ deliveryId, link: 3 });
      expect(tokens.verify(token)).toEqual({ deliveryId, link: 3 });
    }
    expect(tokens.sign({ deliveryId: '12345678', link: 0 }).length).toBeLessThanOrEqual(18);
  });

  it('refuses forged, altered, truncated and foreign tokens', () => {
    const token = tokens.sign({ deliveryId: '42', link: 0 });
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(tokens.verify(flipped)).toBeUndefined();
    expect(tokens.verify(token.slice(0, -2))).toBeUndefined();
    expect(tokens.verify(`${token}AA`)).toBeUndefined();
    expect(
      tokens.verify(createLinkTokens('another-secret-entirely-0000000').sign({ deliveryId: '42', link: 0 })),
    ).toBeUndefined();
    expect(tokens.verify('../../etc/passwd')).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
  });
});
