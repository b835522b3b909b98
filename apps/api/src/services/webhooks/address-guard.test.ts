import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isQunfaError } from '@qunfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookUrl, forbiddenReason, parseAllowList } from './address-guard.js';
import { type ClaimedDelivery, postDelivery } from './deliver.js';

const none = parseAllowList([]);

describe('which addresses a webhook may reach', () => {
  it('refuses loopback, private, link-local, metadata, CGNAT, multicast and embedded private addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '127.8.8.8',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata (AWS, GCP, Azure, Tencent Cloud)
      '100.100.100.200', // Alibaba Cloud metadata (carrier-grade NAT range)
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254', // AWS metadata over IPv6 (unique-local)
      '::ffff:127.0.0.1', // IPv4-mapped loopback
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1', // NAT64 of 10.0.0.1
      '2002:a00:1::', // 6to4 of 10.0.0.1
    ]) {
      expect(forbiddenReason(ip, none), ip).toBeDefined();
    }
  });

  it('lets public unicast addresses through', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '203.119.1.1', '2400:3200::1', '::ffff:8.8.8.8']) {
      expect(forbiddenReason(ip, none), ip).toBeUndefined();
    }
  });

  it('allows what the allow-list names, and only that', () => {
    const allow = parseAllowList(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    expect(forbiddenReason('10.20.30.40', allow)).toBeUndefined();
    expect(forbiddenReason('127.0.0.1', allow)).toBeUndefined();
    expect(forbiddenReason('::ffff:127.0.0.1', allow)).toBeUndefined();
    expect(forbiddenReason('fd12::1', allow)).toBeUndefined();
    expect(forbiddenReason('127.0.0.2', allow)).toBeDefined();
    expect(forbiddenReason('192.168.0.1', allow)).toBeDefined();
    expect(forbiddenReason('169.254.169.254', parseAllowList(['*']))).toBeUndefined();
    expect(() => parseAllowList(['10.0.0.0/33'])).toThrow(/not an IP address or CIDR/);
  });

  it('checks a URL at registration by what its host resolves to', async () => {
    const refused = async (url: string) =>
      checkWebhookUrl(url, { allow: [] }).then(
        () => 'accepted',
        (e: unknown) => (isQunfaError(e) ? e.code : String(e)),
      );
    expect(await refused('http://127.0.0.1:8080/hook')).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(await refused('http://[::1]/hook')).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(await refused('http://169.254.169.254/latest/meta-data/')).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(await refused('http://localhost:8080/hook')).toBe('WEBHOOK_URL_FORBIDDEN');
    expect(await refused('http://no-such-host.invalid/hook')).toBe('INVALID_INPUT');
    expect(await refused('http://8.8.8.8/hook')).toBe('accepted');
    await expect(checkWebhookUrl('http://localhost:8080/', { allow: ['127.0.0.1', '::1'] })).resolves.toBe(
      undefined,
    );
  });
});

describe('a delivery checks the address it connects to', () => {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(204).end();
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const delivery = (url: string): ClaimedDelivery => ({
    id: 1,
    attempts: 1,
    endpoint_id: 1,
    workspace_id: 1,
    event_id: 'evt_1',
    event_type: 'campaign.state_changed',
    payload: { id: 'evt_1' },
    url,
    secret: 'whsec_test',
  });

  it('refuses a host that resolves to a private address now, though it was registered (DNS rebinding)', async () => {
    // `localhost` stands for a name whose DNS answer changed to 127.0.0.1 after registration.
    const answer = await postDelivery(delivery(`http://localhost:${port}/rebound`), new Date(), {
      timeoutMs: 2000,
      addresses: { allow: [] },
    });
    expect(answer).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/^WEBHOOK_URL_FORBIDDEN: /),
    });
    const literal = await postDelivery(delivery(`http://127.0.0.1:${port}/literal`), new Date(), {
      timeoutMs: 2000,
      addresses: { allow: [] },
    });
    expect(literal.error).toMatch(/^WEBHOOK_URL_FORBIDDEN: /);
    expect(received).toEqual([]);
  });

  it('sends where the allow-list permits it', async () => {
    const answer = await postDelivery(delivery(`http://localhost:${port}/allowed`), new Date(), {
      timeoutMs: 2000,
      addresses: { allow: ['127.0.0.1', '::1'] },
    });
    expect(answer).toMatchObject({ statusCode: 204, error: null });
    expect(received).toEqual(['/allowed']);
  });
});
