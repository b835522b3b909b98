import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's message push signatures and encryption (消息加解密): SHA-1 over the sorted
 * concatenation of token, timestamp, nonce (and the ciphertext in the safe mode); AES-256-CBC
 * with the key `base64(EncodingAESKey + "=")`, the IV its first 16 bytes, PKCS#7 padding to 32
 * bytes, and a plaintext of 16 random bytes, the message length (4 bytes, big-endian), the
 * message and the AppID.
 */
export function signature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Constant-time comparison of a hex signature the request carried with the expected one. */
export function signatureMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || !/^[0-9a-f]{40}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), Buffer.from(expected, 'hex'));
}

function keyOf(encodingAESKey: string): Buffer {
  return Buffer.from(`${encodingAESKey}=`, 'base64');
}

/** The message, or undefined when the ciphertext is not ours (wrong key, bad padding, other AppID). */
export function decryptMessage(
  encodingAESKey: string,
  appId: string,
  ciphertext: string,
): string | undefined {
  const key = keyOf(encodingAESKey);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32 || pad > plain.length) return undefined;
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return undefined;
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) return undefined;
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) return undefined;
  const message = content.subarray(20, 20 + length).toString('utf8');
  const receiver = content.subarray(20 + length).toString('utf8');
  return receiver === appId ? message : undefined;
}

/** Encrypts a message for `appId` (replies in the safe mode; the fake server's pushes). */
export function encryptMessage(encodingAESKey: string, appId: string, message: string): string {
  const key = keyOf(encodingAESKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const content = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, 'utf8')]);
  const pad = 32 - (content.length % 32);
  const padded = Buffer.concat([content, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}
