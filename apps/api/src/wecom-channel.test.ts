import { describe, expect, it } from 'vitest';
import { wecomChannelFromEnv } from './wecom-channel.js';

const env = {
  WECOM_CORP_ID: 'ww0123456789abcdef',
  WECOM_AGENT_ID: '1000002',
  WECOM_APP_SECRET: 'app-secret-from-env',
  WECOM_CALLBACK_TOKEN: 'cbToken123',
  WECOM_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

describe('WECOM_* environment', () => {
  it('loads channel:wecom when a corp id is set, not otherwise', () => {
    expect(wecomChannelFromEnv({})).toEqual([]);
    const [plugin] = wecomChannelFromEnv(env);
    expect(plugin?.name).toBe('channel:wecom');
  });

  it('refuses a bad setting naming the field, without the secret', () => {
    let thrown: unknown;
    try {
      wecomChannelFromEnv({ ...env, WECOM_ENCODING_AES_KEY: 'short' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'PLUGIN_OPTIONS_INVALID',
      details: { field: 'callback.encodingAESKey' },
    });
    expect(String(thrown) + JSON.stringify(thrown)).not.toContain('app-secret-from-env');
  });
});
