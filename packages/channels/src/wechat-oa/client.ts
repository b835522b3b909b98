import { OaApiError, tokenErrorCodes } from './errors.js';
import { requestJson } from './http.js';
import type { WechatOaConfig } from './options.js';
import { accessToken, refreshAccessToken, type TokenContext } from './token.js';

/** Calls the Official Account API with the shared access token. */
export interface OaClient {
  /** POST JSON to `path` (`/cgi-bin/message/mass/send`); a non-zero `errcode` throws `OaApiError`. */
  post(path: string, body: unknown, ctx: TokenContext): Promise<Record<string, unknown>>;
  /** GET `path` with `query`. */
  get(path: string, query: Record<string, string>, ctx: TokenContext): Promise<Record<string, unknown>>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * The client of one account. A token WeChat refuses (40001, 40014, 42001) is refreshed once
 * and the call made again; -1 (system busy) is retried `busyRetries` times with doubling
 * back-off. Nothing else is retried: the engine decides by the failure class.
 */
export function createOaClient(config: WechatOaConfig): OaClient {
  async function call(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: unknown,
    ctx: TokenContext,
  ): Promise<Record<string, unknown>> {
    let token = await accessToken(config, ctx);
    let refreshed = false;
    let busy = 0;
    for (;;) {
      const url = `${config.baseUrl}${path}?${new URLSearchParams({ access_token: token, ...query })}`;
      const answer = await requestJson({
        method,
        url,
        ...(method === 'POST' ? { body } : {}),
        timeoutMs: config.timeoutMs,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
      if (errcode === 0) return answer;
      if (tokenErrorCodes.has(errcode) && !refreshed) {
        refreshed = true;
        token = await refreshAccessToken(config, ctx, token);
        continue;
      }
      if (errcode === -1 && busy < config.busyRetries && !ctx.signal?.aborted) {
        await sleep(config.busyBackoffMs * 2 ** busy, ctx.signal);
        busy++;
        continue;
      }
      throw new OaApiError(errcode, String(answer.errmsg ?? ''), path, answer);
    }
  }
  return {
    post: (path, body, ctx) => call('POST', path, {}, body, ctx),
    get: (path, query, ctx) => call('GET', path, query, undefined, ctx),
  };
}
