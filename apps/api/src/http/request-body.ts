import type { IncomingMessage } from 'node:http';

/** Largest callback body accepted, in bytes: receipts come in batches, not uploads. */
export const MAX_CALLBACK_BYTES = 1024 * 1024;

/** The request body as text; undefined when it is larger than `limit`. */
export async function readBody(
  req: IncomingMessage,
  limit = MAX_CALLBACK_BYTES,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
