import { createRegistry, isQunfaError } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { builtinReplyLexicons, type ReplyLexiconFile } from './reply-lexicon.js';
import { ruleClassifier } from './rule-classifier.js';

const classifier = ruleClassifier();
const label = async (text: string) => (await classifier.classify({ text }))!.label;

describe('classifier:rules', () => {
  it('sorts the seed’s examples', async () => {
    expect(await label('请问如何办理？')).toBe('consultation');
    expect(await label('无法登录，一直显示错误')).toBe('complaint');
    expect(await label('对这个挺感兴趣')).toBe('interested');
    expect(await label('不需要，别发了')).toBe('not_interested');
    expect(await label('TD')).toBe('unsubscribe');
    expect(await label('😀😀[微笑]')).toBe('noise');
  });

  it('handles negation: the cue after a negator in its clause does not count, or counts for its opposite', async () => {
    expect(await label('不是投诉')).not.toBe('complaint');
    expect(await label('没有问题')).toBe('other');
    expect(await label('不是投诉，想问下怎么退款')).toBe('consultation');
    expect(await label('不太感兴趣')).toBe('not_interested');
    expect(await label("I'm not complaining")).not.toBe('complaint');
    expect(await label('no problem')).toBe('other');
    // A negator in an earlier clause, and an imperative, do not negate.
    expect(await label('不错，感兴趣')).toBe('interested');
    expect(await label('不要骚扰我')).toBe('complaint');
    expect((await classifier.classify({ text: '不是投诉' }))!.reasons).toContain('negated:投诉');
  });

  it('reads traditional, full-width and mixed-case text the same', async () => {
    expect(await label('請問如何辦理')).toBe('consultation');
    expect(await label('ＴＤ')).toBe('unsubscribe');
    expect(await label('Unsubscribe')).toBe('unsubscribe');
  });

  it('answers every input with a known class and a confidence in [0, 1], empty and huge ones included', async () => {
    for (const text of ['', ' ', '\u0000', 'a'.repeat(100_000), '投诉'.repeat(5000), '\ud800']) {
      const c = (await classifier.classify({ text }))!;
      expect(c.confidence).toBeGreaterThanOrEqual(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
    }
    expect((await classifier.classify({ text: '投诉' }))!.confidence).toBeGreaterThan(
      (await classifier.classify({ text: '好' }))!.confidence,
    );
  });

  it('loads through the registry as a classifier', () => {
    expect(createRegistry([classifier]).classifiers).toEqual([classifier]);
  });

  it('takes its own lexicons, and refuses a malformed one naming the field', async () => {
    const shop: ReplyLexiconFile = {
      ...builtinReplyLexicons()[0]!,
      name: 'shop',
      classes: { interested: { negatedAs: null, cues: { 拼单: 3 } } },
    };
    expect((await ruleClassifier({ lexicons: [shop] }).classify({ text: '拼单吗' }))!.label).toBe(
      'interested',
    );
    try {
      ruleClassifier({
        lexicons: [{ ...shop, classes: { gossip: { negatedAs: null, cues: {} } } } as never],
      });
      expect.unreachable();
    } catch (error) {
      expect(isQunfaError(error, 'INVALID_INPUT')).toBe(true);
      expect((error as { details: { field: string } }).details.field).toContain('classes');
    }
    expect(() => ruleClassifier({ questionMarkWeight: -1 })).toThrow(/questionMarkWeight/);
  });
});
