import { describe, expect, it } from 'vitest';
import { parseWecomOptions } from './options.js';

const base = { corpId: 'ww0123456789abcdef', apps: [{ agentId: 1000002, secret: 'very-secret-value' }] };

describe('wecom options', () => {
  it('fills the documented defaults', () => {
    expect(parseWecomOptions(base)).toMatchObject({
      name: 'channel:wecom',
      baseUrl: 'https://qyapi.weixin.qq.com',
      duplicateCheckIntervalSec: 14_400,
      memberPerMinute: 30,
      memberPerHour: 1000,
      customerCap: 'month-days',
      contactSecret: undefined,
    });
  });

  it.each([
    [{ ...base, corpId: 'nope' }, 'corpId'],
    [{ ...base, apps: [] }, 'apps'],
    [{ ...base, apps: [base.apps[0]!, base.apps[0]!] }, 'apps'],
    [{ ...base, callback: { token: 't', encodingAESKey: 'short' } }, 'callback.encodingAESKey'],
    [{ ...base, duplicateCheckIntervalSec: 20_000 }, 'duplicateCheckIntervalSec'],
    [{ ...base, memberPerMinute: 31 }, 'memberPerMinute'],
    [{ ...base, baseUrl: 'ftp://x' }, 'baseUrl'],
    [{ ...base, extra: 1 }, '(options)'],
  ])('refuses %j naming %s, never echoing a secret', (options, field) => {
    let thrown: unknown;
    try {
      parseWecomOptions(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'PLUGIN_OPTIONS_INVALID', details: { field } });
    expect(JSON.stringify(thrown) + String(thrown)).not.toContain('very-secret-value');
  });
});
