import { createHash } from 'node:crypto';
import type { WecomClient } from './client.js';
import type { MediaRef } from './content.js';
import { WecomNetworkError } from './errors.js';
import type { TokenContext } from './token.js';

/** Temporary media (临时素材) live 3 days; an id is not used in its last hour. */
const MEDIA_TTL_MS = 3 * 24 * 3600_000 - 3600_000;
/** WeCom's upload limits (上传的媒体文件限制): image 10 MB, voice 2 MB, video 10 MB, file 20 MB. */
const MAX_BYTES: Record<MediaRef['type'], number> = {
  image: 10 << 20,
  voice: 2 << 20,
  video: 10 << 20,
  file: 20 << 20,
};

const cacheKey = (label: string, ref: MediaRef) =>
  `media/${label}/${ref.type}/${createHash('sha256').update(ref.source).digest('hex').slice(0, 40)}`;

/** The media is not usable (cannot be fetched, too large): its messages are content_rejected. */
export class MediaUnavailableError extends Error {
  override readonly name = 'MediaUnavailableError';
}

/**
 * The `media_id` of a message's media: `media:<id>` as given, else uploaded once with
 * `media/upload` and reused from the shared state by every batch and worker until it expires.
 */
export async function mediaIdFor(
  client: WecomClient,
  label: string,
  ref: MediaRef,
  ctx: TokenContext,
  options: { timeoutMs: number },
): Promise<string> {
  if (ref.source.startsWith('media:')) return ref.source.slice(6);
  const key = cacheKey(label, ref);
  const cached = await ctx.state.get<string>(key);
  if (cached) return cached;
  const file = await fetchMedia(ref, options.timeoutMs, ctx.signal);
  const answer = await client.upload(
    '/cgi-bin/media/upload',
    { type: ref.type },
    () => {
      const form = new FormData();
      form.append('media', new Blob([file.bytes], { type: 'application/octet-stream' }), file.filename);
      return form;
    },
    ctx,
  );
  const id = answer.media_id;
  if (typeof id !== 'string' || id === '') throw new WecomNetworkError('/cgi-bin/media/upload: no media_id');
  await ctx.state.set(key, id, MEDIA_TTL_MS);
  return id;
}

/** Forgets a media id WeCom refused (40007: expired or unknown), so the next use uploads again. */
export async function forgetMedia(label: string, ref: MediaRef, ctx: TokenContext): Promise<void> {
  await ctx.state.delete(cacheKey(label, ref));
}

async function fetchMedia(
  ref: MediaRef,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; filename: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(ref.source, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    throw new MediaUnavailableError(`media could not be fetched: ${(error as Error).message}`);
  }
  if (!response.ok) throw new MediaUnavailableError(`media could not be fetched: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0) throw new MediaUnavailableError('media is empty');
  if (bytes.length > MAX_BYTES[ref.type]) {
    throw new MediaUnavailableError(`${ref.type} larger than ${MAX_BYTES[ref.type] >> 20} MB`);
  }
  const fromUrl = ref.source.startsWith('data:') ? '' : (new URL(ref.source).pathname.split('/').pop() ?? '');
  const ext = { image: 'jpg', voice: 'amr', video: 'mp4', file: 'bin' }[ref.type];
  return { bytes, filename: ref.filename ?? (fromUrl.includes('.') ? fromUrl : `${ref.type}.${ext}`) };
}
