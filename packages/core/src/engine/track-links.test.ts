import { describe, expect, it } from 'vitest';
import { findLinks, tracksLinks, withTrackedLinks } from './track-links.js';

const tracker = {
  url: ({ deliveryId, link }: { deliveryId: string; link: number }) => `https://t.cn/${deliveryId}.${link}`,
};

describe('link tracking', () => {
  it('finds links up to CJK text, punctuation and placeholders', () => {
    const text =
      '会员日 https://shop.example.com/a?b=1&c=2，详情见https://x.cn/d。或 (https://y.cn/e). 专属 https://z.cn/{{attributes.code}}';
    expect(findLinks(text).map((l) => l.url)).toEqual([
      'https://shop.example.com/a?b=1&c=2',
      'https://x.cn/d',
      'https://y.cn/e',
    ]);
  });

  it('rewrites every link of the text in place, and nothing else', () => {
    const content = { type: 'text' as const, text: '{{name}}，看 https://a.cn/1 和 https://b.cn/2！' };
    expect(withTrackedLinks(content, '77', tracker).text).toBe(
      '{{name}}，看 https://t.cn/77.0 和 https://t.cn/77.1！',
    );
  });

  it('tracks text with links unless the step turns it off', () => {
    const text = { type: 'text' as const, text: 'go https://a.cn' };
    expect(tracksLinks(text, undefined)).toBe(true);
    expect(tracksLinks(text, false)).toBe(false);
    expect(tracksLinks({ type: 'image', text: 'https://a.cn/x.png' }, true)).toBe(false);
    expect(tracksLinks({ type: 'text', text: 'no link' }, true)).toBe(false);
  });
});
