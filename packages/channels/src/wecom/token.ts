import type { PluginState } from '@qunfa/core';
import { WecomApiError, WecomNetworkError } from './errors.js';
import { requestJson } from './http.js';
import type { WecomConfig } from './options.js';

/** What the token calls need: the shared state, the clock, and the hook's abort signal. */
export interface TokenContext {
  state: PluginState;
  now(): Date;
  signal?: AbortSignal;
}

/** One secret of the corp, named without the secret itself: `app-<agentId>` or `contact`. */
export interface Credential {
  label: string;
  secret: string;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which it is not used any more. */
  expiresAt: number;
}

/** Kept a minute short of `expires_in`, so a call never starts with a token about to lapse. */
const MARGIN_MS = 60_000;
const LOCK_MS = 15_000;
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 30;

const tokenKey = (c: WecomConfig, cred: Credential) => `access-token/${c.corpId}/${cred.label}`;
const lockKey = (c: WecomConfig, cred: Credential) => `access-token-lock/${c.corpId}/${cred.label}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The access token of one secret (`gettoken`), shared by every worker and API process through the
 * plugin state: one process fetches it (a lock in the state), the others wait for it and use it.
 * Each secret has its own token: WeCom's tokens are per app, and per the customer-contact secret.
 */
export async function accessToken(config: WecomConfig, cred: Credential, ctx: TokenContext): Promise<string> {
  const cached = await usable(config, cred, ctx);
  if (cached) return cached;
  if (await ctx.state.setIfAbsent(lockKey(config, cred), true, LOCK_MS)) {
    try {
      return await fetchAndStore(config, cred, ctx);
    } finally {
      await ctx.state.delete(lockKey(config, cred));
    }
  }
  for (let i = 0; i < WAIT_STEPS && !ctx.signal?.aborted; i++) {
    await sleep(WAIT_STEP_MS);
    const fetched = await usable(config, cred, ctx);
    if (fetched) return fetched;
  }
  // The holder of the lock is slow or gone: fetch it ourselves rather than fail the send.
  return fetchAndStore(config, cred, ctx);
}

/** A fresh token after WeCom refused `stale`; when another process already replaced it, that one. */
export async function refreshAccessToken(
  config: WecomConfig,
  cred: Credential,
  ctx: TokenContext,
  stale: string,
): Promise<string> {
  const current = await usable(config, cred, ctx);
  if (current && current !== stale) return current;
  await ctx.state.delete(tokenKey(config, cred));
  return fetchAndStore(config, cred, ctx);
}

async function usable(config: WecomConfig, cred: Credential, ctx: TokenContext): Promise<string | undefined> {
  const cached = await ctx.state.get<CachedToken>(tokenKey(config, cred));
  return cached && cached.expiresAt > ctx.now().getTime() ? cached.token : undefined;
}

async function fetchAndStore(config: WecomConfig, cred: Credential, ctx: TokenContext): Promise<string> {
  const path = '/cgi-bin/gettoken';
  const body = await requestJson({
    method: 'GET',
    url: `${config.baseUrl}${path}?${new URLSearchParams({ corpid: config.corpId, corpsecret: cred.secret })}`,
    timeoutMs: config.timeoutMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
  if (errcode !== 0) throw new WecomApiError(errcode, String(body.errmsg ?? ''), path, {});
  const token = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new WecomNetworkError(`${path}: the answer has no access_token`);
  }
  const lifetimeMs = Math.max(expiresIn * 1000 - MARGIN_MS, 1000);
  const cached: CachedToken = { token, expiresAt: ctx.now().getTime() + lifetimeMs };
  await ctx.state.set(tokenKey(config, cred), cached, lifetimeMs);
  return token;
}
