import type { PluginState } from '@qunfa/core';
import { OaApiError, OaNetworkError } from './errors.js';
import { requestJson } from './http.js';
import type { WechatOaConfig } from './options.js';

/** What the token calls need: the shared state, the clock, and the hook's abort signal. */
export interface TokenContext {
  state: PluginState;
  now(): Date;
  signal?: AbortSignal;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which it is not used any more. */
  expiresAt: number;
}

/** Kept a minute short of WeChat's `expires_in`, so a call never starts with a token about to lapse. */
const MARGIN_MS = 60_000;
const LOCK_MS = 15_000;
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 30;

const tokenKey = (c: WechatOaConfig) => `access-token/${c.appId}`;
const lockKey = (c: WechatOaConfig) => `access-token-lock/${c.appId}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The account's access token, shared by every worker and API process through the plugin
 * state: one process fetches it (a lock in the state), the others wait for it and use it.
 */
export async function accessToken(config: WechatOaConfig, ctx: TokenContext): Promise<string> {
  const cached = await usable(config, ctx);
  if (cached) return cached;
  if (await ctx.state.setIfAbsent(lockKey(config), true, LOCK_MS)) {
    try {
      return await fetchAndStore(config, ctx, false);
    } finally {
      await ctx.state.delete(lockKey(config));
    }
  }
  for (let i = 0; i < WAIT_STEPS && !ctx.signal?.aborted; i++) {
    await sleep(WAIT_STEP_MS);
    const fetched = await usable(config, ctx);
    if (fetched) return fetched;
  }
  // The holder of the lock is slow or gone: fetch it ourselves rather than fail the send.
  return fetchAndStore(config, ctx, false);
}

/**
 * A fresh token after WeChat refused `stale` (40001, 40014, 42001). When another process
 * already replaced it, that one is used; `stable_token` is asked normally first and forced
 * only when it answers the same refused token (forcing is limited to 20 a day).
 */
export async function refreshAccessToken(
  config: WechatOaConfig,
  ctx: TokenContext,
  stale: string,
): Promise<string> {
  const current = await usable(config, ctx);
  if (current && current !== stale) return current;
  await ctx.state.delete(tokenKey(config));
  const fresh = await fetchAndStore(config, ctx, false);
  if (fresh !== stale || config.tokenEndpoint === 'token') return fresh;
  return fetchAndStore(config, ctx, true);
}

async function usable(config: WechatOaConfig, ctx: TokenContext): Promise<string | undefined> {
  const cached = await ctx.state.get<CachedToken>(tokenKey(config));
  return cached && cached.expiresAt > ctx.now().getTime() ? cached.token : undefined;
}

async function fetchAndStore(config: WechatOaConfig, ctx: TokenContext, force: boolean): Promise<string> {
  const body =
    config.tokenEndpoint === 'stable_token'
      ? await requestJson({
          method: 'POST',
          url: `${config.baseUrl}/cgi-bin/stable_token`,
          body: {
            grant_type: 'client_credential',
            appid: config.appId,
            secret: config.appSecret,
            ...(force ? { force_refresh: true } : {}),
          },
          timeoutMs: config.timeoutMs,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        })
      : await requestJson({
          method: 'GET',
          url: `${config.baseUrl}/cgi-bin/token?${new URLSearchParams({
            grant_type: 'client_credential',
            appid: config.appId,
            secret: config.appSecret,
          })}`,
          timeoutMs: config.timeoutMs,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
  const path = `/cgi-bin/${config.tokenEndpoint}`;
  const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
  if (errcode !== 0) throw new OaApiError(errcode, String(body.errmsg ?? ''), path, {});
  const token = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new OaNetworkError(`${path}: the answer has no access_token`);
  }
  const lifetimeMs = Math.max(expiresIn * 1000 - MARGIN_MS, 1000);
  const cached: CachedToken = { token, expiresAt: ctx.now().getTime() + lifetimeMs };
  await ctx.state.set(tokenKey(config), cached, lifetimeMs);
  return token;
}
