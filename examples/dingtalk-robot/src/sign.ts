import { createHmac } from 'node:crypto';

/**
 * DingTalk's robot signature (安全设置 → 加签): HMAC-SHA256 keyed with the secret over
 * `<timestamp>\n<secret>`, Base64 — sent URL-encoded as `sign`, beside `timestamp` in milliseconds.
 */
export function robotSignature(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The webhook URL with `timestamp` and `sign` appended. */
export function signedUrl(webhookUrl: string, secret: string, timestampMs: number): string {
  const url = new URL(webhookUrl);
  url.searchParams.set('timestamp', String(timestampMs));
  url.searchParams.set('sign', robotSignature(secret, timestampMs));
  return url.toString();
}
