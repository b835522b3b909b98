import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { normalizePhone } from './identity.js';

/** What libphonenumber alone answers: the reference the fast path must agree with. */
function reference(raw: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.replace(/[\s\-()]/g, ''), 'CN');
  return parsed?.isValid() ? parsed.number : undefined;
}

describe('normalizePhone', () => {
  it('answers exactly as libphonenumber on mainland mobiles, however they are written', () => {
    const mobile = fc
      .tuple(fc.integer({ min: 13, max: 19 }), fc.integer({ min: 0, max: 999_999_999 }))
      .map(([head, rest]) => `${head}${String(rest).padStart(9, '0')}`);
    const written = fc
      .tuple(mobile, fc.constantFrom('', '+86', '86', '0086', '+86 '), fc.boolean())
      .map(
        ([n, prefix, dashed]) => `${prefix}${dashed ? `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}` : n}`,
      );
    fc.assert(
      fc.property(written, (raw) => {
        expect(normalizePhone(raw)).toBe(reference(raw));
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses ranges without SMS and keeps ordinary ones', () => {
    expect(normalizePhone('13800138000')).toBe('+8613800138000');
    expect(normalizePhone('+86 174 0012 3456')).toBe('+8617400123456');
    expect(normalizePhone('14412345678')).toBeUndefined();
    expect(normalizePhone('16012345678')).toBeUndefined();
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
  });
});
