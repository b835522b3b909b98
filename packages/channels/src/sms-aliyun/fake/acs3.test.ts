import { describe, expect, it } from 'vitest';
import { acs3Signature } from './acs3.js';

describe('ACS3-HMAC-SHA256 (the fake checks the SDK with it)', () => {
  it('reproduces the signature of the V3 signature documentation example', () => {
    // help.aliyun.com "ROA风格请求体&签名机制" / "V3版本请求体&签名机制": RunInstances on ecs.cn-shanghai,
    // signed with the placeholder secret YourAccessKeySecret.
    const headers = {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-acs-date': '2023-10-26T09:01:01Z',
      'x-acs-signature-nonce': 'd410180a5abf7fe235dd9b74aca91fc0',
      'x-acs-version': '2014-05-26',
    };
    const signature = acs3Signature(
      {
        method: 'POST',
        path: '/',
        query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
        headers,
        signedHeaders: Object.keys(headers),
        hashedPayload: headers['x-acs-content-sha256'],
      },
      'YourAccessKeySecret',
    );
    expect(signature).toBe('e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804');
  });
});
