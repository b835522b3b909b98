import { describe, expect, it } from 'vitest';
import { characterCount, smsSegments } from './text-measure.js';

describe('smsSegments', () => {
  it('counts Chinese text as UCS-2: 70 in one, 67 a segment after', () => {
    expect(smsSegments('你'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(smsSegments('你'.repeat(71))).toEqual({ encoding: 'ucs2', units: 71, segments: 2 });
    expect(smsSegments('你'.repeat(135))).toEqual({ encoding: 'ucs2', units: 135, segments: 3 });
  });

  it('counts plain Latin text as GSM-7: 160, then 153', () => {
    expect(smsSegments('a'.repeat(160)).segments).toBe(1);
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('{}').units).toBe(4);
    expect(smsSegments('').segments).toBe(0);
  });

  it('counts an emoji as one character but two UCS-2 units', () => {
    expect(characterCount('好😀')).toBe(2);
    expect(smsSegments('好😀').units).toBe(3);
  });
});
