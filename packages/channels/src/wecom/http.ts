import { WecomNetworkError } from './errors.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  /** JSON body, or a multipart form for `media/upload`. */
  body?: unknown;
  form?: FormData;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * One JSON request. Network failures, timeouts and answers that are not JSON throw
 * `WecomNetworkError`; the URL (which carries the access token or the secret) is never in the message.
 */
export async function requestJson(req: HttpRequest): Promise<Record<string, unknown>> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const path = new URL(req.url).pathname;
  let response: Response;
  try {
    response = await fetch(req.url, {
      method: req.method,
      signal,
      ...(req.form
        ? { body: req.form }
        : req.body === undefined
          ? {}
          : {
              headers: { 'content-type': 'application/json; charset=utf-8' },
              body: JSON.stringify(req.body),
            }),
    });
  } catch (error) {
    const why = timeout.aborted ? `timed out after ${req.timeoutMs} ms` : messageOf(error);
    throw new WecomNetworkError(`${path}: ${why}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new WecomNetworkError(`${path}: ${messageOf(error)}`);
  }
  if (!response.ok) throw new WecomNetworkError(`${path}: HTTP ${response.status}`);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new WecomNetworkError(`${path}: the answer is not a JSON object`);
}

const messageOf = (error: unknown) =>
  error instanceof Error
    ? error.cause instanceof Error
      ? error.cause.message
      : error.message
    : String(error);
