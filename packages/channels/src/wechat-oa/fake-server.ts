import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest } from '@qunfa/core';
import { encryptMessage, signature } from './crypto.js';
import { FakeAccount, type FakeAccountOptions, type FakeJob } from './fake/account.js';
import { type Answer, err, type FakeRequest, type Route } from './fake/route.js';
import { customSend } from './fake/routes-custom.js';
import { massGet, massSend, massSendAll, subscribeSend, templateSend } from './fake/routes-mass.js';
import { tagsGet, tagsGetIdList, userGet, userInfoBatchGet } from './fake/routes-user.js';
import { buildWechatXml } from './xml.js';

export { FakeAccount, type FakeFollower, type FakeJob } from './fake/account.js';

/** One request the fake received, the access token and the secret left out. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export interface FakeWechatOptions extends FakeAccountOptions {
  /** Push settings the fake signs (and, with a key, encrypts) its pushes with. */
  callback?: { token: string; encodingAESKey?: string };
  /** Lifetime of an access token. Default 7200 (s). */
  tokenTtlSec?: number;
}

export interface FakeWechat {
  url: string;
  account: FakeAccount;
  /** Every API request, in order. */
  requests: RecordedRequest[];
  /** Answers the next `times` calls of `path` with `errcode` instead of serving them. */
  failNext(path: string, errcode: number, errmsg?: string, times?: number): void;
  /** Lets `after` calls to `path` through, then answers the next one with `errcode` (a failure midway). */
  failAfter(path: string, after: number, errcode: number, errmsg?: string): void;
  /** Drops every fault `failNext` set that has not fired yet. */
  clearFaults(): void;
  /** Makes every issued access token expire (42001 from now on). */
  expireTokens(): void;
  /** Makes every issued access token invalid without expiry (40001), as a token from elsewhere would. */
  invalidateTokens(): void;
  /** The signed (and, with a key, encrypted) push of a finished job, as WeChat would POST it. */
  jobFinishedPush(job: FakeJob): CallbackRequest;
  /** A push of any flat message or event. */
  push(fields: Record<string, string | number>): CallbackRequest;
  /** The follower unfollows (removed from the account) and WeChat pushes `unsubscribe`. */
  unfollow(openid: string): CallbackRequest;
  /** Someone follows (added to the account) and WeChat pushes `subscribe`. */
  follow(openid: string, extra?: { unionid?: string; tagIds?: number[] }): CallbackRequest;
  close(): Promise<void>;
}

const routes: Record<string, Route> = {
  'POST /cgi-bin/message/mass/send': massSend,
  'POST /cgi-bin/message/mass/sendall': massSendAll,
  'POST /cgi-bin/message/mass/get': massGet,
  'POST /cgi-bin/message/template/send': templateSend,
  'POST /cgi-bin/message/subscribe/bizsend': subscribeSend,
  'POST /cgi-bin/message/custom/send': customSend,
  'GET /cgi-bin/user/get': userGet,
  'POST /cgi-bin/user/info/batchget': userInfoBatchGet,
  'GET /cgi-bin/tags/get': tagsGet,
  'POST /cgi-bin/tags/getidlist': tagsGetIdList,
};

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fake of WeChat's Official Account API, written from the same documentation as the client:
 * `token` and `stable_token` (normal and forced), mass sends to openid lists and tags with
 * `clientmsgid` de-duplication, protection (confirm / refuse / 30-minute timeout), the monthly 4
 * of a service account, `mass/get`, template messages, subscription notices, followers and tags.
 */
export async function startFakeWechat(options: FakeWechatOptions): Promise<FakeWechat> {
  const account = new FakeAccount(options);
  const requests: RecordedRequest[] = [];
  const faults: { path: string; errcode: number; errmsg: string; times: number; skip?: number }[] = [];
  const ttlMs = (options.tokenTtlSec ?? 7200) * 1000;
  const invalid = new Set<string>();
  const now = () => account.now().getTime();

  const issue = (endpoint: 'stable_token' | 'token'): Answer => {
    const token = `${endpoint === 'token' ? 'T' : 'S'}${randomBytes(24).toString('hex')}`;
    account.tokens.set(token, { endpoint, expiresAt: now() + ttlMs });
    return { access_token: token, expires_in: ttlMs / 1000 };
  };
  const current = (endpoint: 'stable_token' | 'token') =>
    [...account.tokens].find(([t, v]) => v.endpoint === endpoint && v.expiresAt > now() && !invalid.has(t));

  function tokenRoute(
    method: string,
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown>,
  ) {
    const creds = path === '/cgi-bin/token' ? query : body;
    if (path === '/cgi-bin/stable_token' && method !== 'POST') return err(43002, 'require POST method');
    if (creds.grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
    if (creds.appid !== options.appId) return err(40013, 'invalid appid');
    if (creds.secret !== options.appSecret) return err(40125, 'invalid appsecret');
    if (path === '/cgi-bin/token') {
      for (const [t, v] of account.tokens) if (v.endpoint === 'token') account.tokens.delete(t);
      return issue('token');
    }
    if (body.force_refresh === true) {
      for (const [t, v] of account.tokens) if (v.endpoint === 'stable_token') account.tokens.delete(t);
      return issue('stable_token');
    }
    const live = current('stable_token');
    return live
      ? { access_token: live[0], expires_in: Math.floor((live[1].expiresAt - now()) / 1000) }
      : issue('stable_token');
  }

  function serve(
    method: string,
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown>,
  ): Answer {
    if (path === '/cgi-bin/token' || path === '/cgi-bin/stable_token')
      return tokenRoute(method, path, query, body);
    const token = query.access_token;
    if (!token) return err(41001, 'access_token missing');
    const known = account.tokens.get(token);
    if (!known || invalid.has(token))
      return err(40001, 'invalid credential, access_token is invalid or not latest');
    if (known.expiresAt <= now()) return err(42001, 'access_token expired');
    const fault = faults.find((f) => f.path === path && f.times > 0);
    if (fault?.skip) fault.skip--;
    else if (fault) {
      fault.times--;
      return err(fault.errcode, fault.errmsg);
    }
    const route = routes[`${method} ${path}`];
    if (!route) return err(404, 'api not found');
    const { access_token: _, ...rest } = query;
    return route(account, { method, path, query: rest, body } satisfies FakeRequest);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const body = await readJson(req);
    const { access_token: _t, secret: _s, ...shownQuery } = query;
    const { secret: _b, ...shownBody } = body ?? {};
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: shownQuery, body: shownBody });
    const answer =
      body === undefined
        ? err(47001, 'data format error')
        : serve(req.method ?? 'GET', url.pathname, query, body);
    res.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' });
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function push(fields: Record<string, string | number>): CallbackRequest {
    const settings = options.callback;
    if (!settings) throw new Error('the fake has no callback settings');
    const timestamp = String(Math.floor(now() / 1000));
    const nonce = randomBytes(6).toString('hex');
    const plain = buildWechatXml({ ToUserName: 'gh_fake00000000', ...fields });
    const query: Record<string, string> = {
      signature: signature([settings.token, timestamp, nonce]),
      timestamp,
      nonce,
    };
    if (typeof fields.FromUserName === 'string' && fields.FromUserName !== '')
      query.openid = fields.FromUserName;
    // A follower's own message opens the customer-service window (48 h, 5 answers).
    const writer = account.followers.get(String(fields.FromUserName ?? ''));
    if (writer && fields.MsgType !== 'event') {
      writer.lastMessageAt = now();
      writer.answers = 0;
    }
    if (!settings.encodingAESKey) return { method: 'POST', path: '', headers: {}, query, body: plain };
    const encrypted = encryptMessage(settings.encodingAESKey, options.appId, plain);
    query.encrypt_type = 'aes';
    query.msg_signature = signature([settings.token, timestamp, nonce, encrypted]);
    return {
      method: 'POST',
      path: '',
      headers: {},
      query,
      body: buildWechatXml({ ToUserName: 'gh_fake00000000', Encrypt: encrypted }),
    };
  }

  return {
    url: `http://127.0.0.1:${port}`,
    account,
    requests,
    failNext(path, errcode, errmsg = 'injected', times = 1) {
      faults.push({ path, errcode, errmsg, times });
    },
    failAfter(path, after, errcode, errmsg = 'injected') {
      faults.push({ path, errcode, errmsg, times: 1, skip: after });
    },
    clearFaults() {
      faults.length = 0;
    },
    expireTokens() {
      for (const v of account.tokens.values()) v.expiresAt = now();
    },
    invalidateTokens() {
      for (const t of account.tokens.keys()) invalid.add(t);
    },
    jobFinishedPush(job) {
      const status = account.statusOf(job);
      if (status === undefined) throw new Error(`job ${job.msgId} has not finished`);
      return push({
        FromUserName: 'oFakeSystem000000000000000000',
        CreateTime: Math.floor(now() / 1000),
        MsgType: 'event',
        Event: 'MASSSENDJOBFINISH',
        MsgID: job.msgId,
        Status: status,
        TotalCount: job.total,
        FilterCount: job.filtered,
        SentCount: job.sent,
        ErrorCount: job.errors,
      });
    },
    push,
    unfollow(openid) {
      if (!account.followers.delete(openid)) throw new Error(`${openid} does not follow the account`);
      return push({
        FromUserName: openid,
        CreateTime: Math.floor(now() / 1000),
        MsgType: 'event',
        Event: 'unsubscribe',
      });
    },
    follow(openid, extra = {}) {
      account.addFollower(openid, extra);
      return push({
        FromUserName: openid,
        CreateTime: Math.floor(now() / 1000),
        MsgType: 'event',
        Event: 'subscribe',
        EventKey: '',
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
