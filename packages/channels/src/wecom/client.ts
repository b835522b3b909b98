import { tokenErrorCodes, WecomApiError } from './errors.js';
import { requestJson } from './http.js';
import type { WecomConfig } from './options.js';
import { accessToken, type Credential, refreshAccessToken, type TokenContext } from './token.js';

/** Calls WeCom's server API with one secret's shared access token. */
export interface WecomClient {
  /** POST JSON to `path` (`/cgi-bin/message/send`); a non-zero `errcode` throws `WecomApiError`. */
  post(path: string, body: unknown, ctx: TokenContext): Promise<Record<string, unknown>>;
  /** GET `path` with `query`. */
  get(path: string, query: Record<string, string>, ctx: TokenContext): Promise<Record<string, unknown>>;
  /** POST a multipart form (`media/upload`), `query` beside the token. */
  upload(
    path: string,
    query: Record<string, string>,
    form: () => FormData,
    ctx: TokenContext,
  ): Promise<Record<string, unknown>>;
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
 * The client of one secret. A token WeCom refuses (40001, 40014, 42001) is refreshed once and the
 * call made again; -1 (system busy) is retried `busyRetries` times with doubling back-off.
 * Nothing else is retried here: the engine decides by the failure class.
 */
export function createWecomClient(config: WecomConfig, cred: Credential): WecomClient {
  async function call(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    payload: { body?: unknown; form?: () => FormData },
    ctx: TokenContext,
  ): Promise<Record<string, unknown>> {
    let token = await accessToken(config, cred, ctx);
    let refreshed = false;
    let busy = 0;
    for (;;) {
      const url = `${config.baseUrl}${path}?${new URLSearchParams({ access_token: token, ...query })}`;
      const answer = await requestJson({
        method,
        url,
        ...(payload.form ? { form: payload.form() } : method === 'POST' ? { body: payload.body } : {}),
        timeoutMs: config.timeoutMs,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
      if (errcode === 0) return answer;
      if (tokenErrorCodes.has(errcode) && !refreshed) {
        refreshed = true;
        token = await refreshAccessToken(config, cred, ctx, token);
        continue;
      }
      if (errcode === -1 && busy < config.busyRetries && !ctx.signal?.aborted) {
        await sleep(config.busyBackoffMs * 2 ** busy, ctx.signal);
        busy++;
        continue;
      }
      throw new WecomApiError(errcode, String(answer.errmsg ?? ''), path, answer);
    }
  }
  return {
    post: (path, body, ctx) => call('POST', path, {}, { body }, ctx),
    get: (path, query, ctx) => call('GET', path, query, {}, ctx),
    upload: (path, query, form, ctx) => call('POST', path, query, { form }, ctx),
  };
}

/** The credentials of a config: one per app, and the customer-contact one (the first app's when none is set). */
export function credentialsOf(config: WecomConfig): { apps: Map<number, Credential>; contact: Credential } {
  const apps = new Map(config.apps.map((a) => [a.agentId, { label: `app-${a.agentId}`, secret: a.secret }]));
  const first = config.apps[0]!;
  const contact = config.contactSecret
    ? { label: 'contact', secret: config.contactSecret }
    : { label: `app-${first.agentId}`, secret: first.secret };
  return { apps, contact };
}
