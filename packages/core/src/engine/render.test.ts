import { describe, expect, it } from 'vitest';
import { needsPersonalisation, renderContent } from './render.js';

describe('renderContent', () => {
  const target = { name: '小王', attributes: { city: '杭州', points: 120, nested: { a: 1 }, none: null } };

  it('fills name and attributes, missing ones empty', () => {
    const content = {
      type: 'text' as const,
      text: '{{name}}，{{ attributes.city }}见！积分{{attributes.points}}{{attributes.missing}}{{attributes.none}}',
    };
    expect(renderContent(content, target).text).toBe('小王，杭州见！积分120');
    expect(renderContent({ type: 'text', text: 'hi {{name}}' }, { name: null, attributes: {} }).text).toBe(
      'hi ',
    );
  });

  it('renders the subject and leaves other placeholders alone', () => {
    const rendered = renderContent(
      { type: 'email', text: '{{other}} {{attributes.nested}}', subject: 'Hi {{name}}' },
      target,
    );
    expect(rendered).toEqual({ type: 'email', text: '{{other}} {"a":1}', subject: 'Hi 小王' });
  });

  it("renders {{unsubscribe}} as the target's unsubscribe link, empty without one", () => {
    const content = { type: 'text' as const, text: '回复TD或点 {{ unsubscribe }} 退订' };
    expect(renderContent(content, { ...target, unsubscribeUrl: 'https://q.cn/u/x' }).text).toBe(
      '回复TD或点 https://q.cn/u/x 退订',
    );
    expect(renderContent(content, target).text).toBe('回复TD或点  退订');
    expect(needsPersonalisation(content)).toBe(true);
  });

  it('tells whether content is personalised', () => {
    expect(needsPersonalisation({ type: 'text', text: 'hello' })).toBe(false);
    expect(needsPersonalisation({ type: 'text', text: 'hello {{name}}' })).toBe(true);
    expect(needsPersonalisation({ type: 'email', text: 'x', subject: '{{attributes.k}}' })).toBe(true);
    expect(needsPersonalisation({ type: 'text', text: '{{other}}' })).toBe(false);
  });
});
