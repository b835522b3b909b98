import { describe, expect, it } from 'vitest';
import { tc3Signature } from './tc3.js';

describe('TC3-HMAC-SHA256 (the fake checks the SDK with it)', () => {
  it('reproduces the signature of the 签名方法 v3 documentation example (CVM DescribeInstances)', () => {
    expect(
      tc3Signature({
        secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
        service: 'cvm',
        timestamp: 1551113065,
        headers: { 'content-type': 'application/json; charset=utf-8', host: 'cvm.tencentcloudapi.com' },
        signedHeaders: ['content-type', 'host'],
        payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
      }),
    ).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });
});
