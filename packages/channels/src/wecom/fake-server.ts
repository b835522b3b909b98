import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest } from '@qunfa/core';
import { encrypt, getSignature } from '@wecom/crypto';
import { buildWechatXml } from '../wechat-oa/xml.js';
import { FakeCorp, type FakeCorpOptions } from './fake/corp.js';
import { type Answer, err, ok, type Route } from './fake/route.js';
import { mediaUpload, messageRecall, messageSend } from './fake/routes-app.js';
import {
  addMsgTemplate,
  cancelGroupmsgSend,
  getGroupmsgListV2,
  getGroupmsgSendResult,
  getGroupmsgTask,
  remindGroupmsgSend,
} from './fake/routes-customer.js';
import {
  batchGetByUser,
  getCorpTagList,
  getFollowUserList,
  groupchatGet,
  groupchatList,
} from './fake/routes-sync.js';

export { type FakeAppMessage, FakeCorp, type FakeGroup, type FakeMember } from './fake/corp.js';
export type { FakeCustomers, FakeTask } from './fake/customers.js';

/** One request the fake received, the access token and the secrets left out. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export interface FakeWecomOptions extends FakeCorpOptions {
  /** Lifetime of an access token. Default 7200 (s). */
  tokenTtlSec?: number;
  /** Callback settings the fake signs and encrypts its pushes with. */
  callback?: { token: string; encodingAESKey: string };
}

/** How a push is made: which corp id it is encrypted for (another corp's, to test), which AgentID. */
export interface PushOptions {
  receiveId?: string;
  agentId?: number;
  nonce?: string;
}

export interface FakeWecom {
  url: string;
  corp: FakeCorp;
  /** Every API request, in order. */
  requests: RecordedRequest[];
  /** Answers the next `times` calls of `path` with `errcode` instead of serving them. */
  failNext(path: string, errcode: number, errmsg?: string, times?: number): void;
  /** Lets `after` calls to `path` through, then answers the next one with `errcode` (a failure midway). */
  failAfter(path: string, after: number, errcode: number, errmsg?: string): void;
  /**
   * Serves the next `times` calls of `path` (a task is created, a message delivered) but closes
   * the connection instead of answering: the caller cannot tell whether it happened.
   */
  loseAnswerNext(path: string, times?: number): void;
  /** Makes every issued access token expire (42001 from now on). */
  expireTokens(): void;
  /** Makes every issued access token invalid (40014), as a token from elsewhere would be. */
  invalidateTokens(): void;
  /** The encrypted, signed POST WeCom would make to the callback URL with these message fields. */
  push(fields: Record<string, string | number>, options?: PushOptions): CallbackRequest;
  /** The GET WeCom makes to verify the callback URL, with `echo` encrypted as `echostr`. */
  verifyUrl(echo: string, options?: PushOptions): CallbackRequest;
  close(): Promise<void>;
}

const routes: Record<string, Route> = {
  'POST /cgi-bin/message/send': messageSend,
  'POST /cgi-bin/message/recall': messageRecall,
  'POST /cgi-bin/media/upload': mediaUpload,
  'POST /cgi-bin/externalcontact/add_msg_template': addMsgTemplate,
  'POST /cgi-bin/externalcontact/get_groupmsg_list_v2': getGroupmsgListV2,
  'POST /cgi-bin/externalcontact/get_groupmsg_task': getGroupmsgTask,
  'POST /cgi-bin/externalcontact/get_groupmsg_send_result': getGroupmsgSendResult,
  'POST /cgi-bin/externalcontact/remind_groupmsg_send': remindGroupmsgSend,
  'POST /cgi-bin/externalcontact/cancel_groupmsg_send': cancelGroupmsgSend,
  'GET /cgi-bin/externalcontact/get_follow_user_list': getFollowUserList,
  'POST /cgi-bin/externalcontact/batch/get_by_user': batchGetByUser,
  'POST /cgi-bin/externalcontact/groupchat/list': groupchatList,
  'POST /cgi-bin/externalcontact/groupchat/get': groupchatGet,
  'POST /cgi-bin/externalcontact/get_corp_tag_list': getCorpTagList,
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): Record<string, unknown> | undefined {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fake of WeCom's server API (qyapi.weixin.qq.com), written from its documentation: `gettoken`
 * per secret, application messages with `invaliduser`/`unlicenseduser`, the duplicate check and the
 * silent per-member limits, media uploads, recall; the global error answers for tokens and calls.
 */
export async function startFakeWecom(options: FakeWecomOptions): Promise<FakeWecom> {
  const corp = new FakeCorp(options);
  const requests: RecordedRequest[] = [];
  const faults: { path: string; errcode: number; errmsg: string; times: number; skip?: number }[] = [];
  const ttlMs = (options.tokenTtlSec ?? 7200) * 1000;
  const invalid = new Set<string>();
  const lostAnswers = new Map<string, number>();
  const now = () => corp.now().getTime();

  function gettoken(query: Record<string, string>): Answer {
    if (query.corpid !== options.corpId) return err(40013, 'invalid corpid');
    const credential = corp.credentialOf(query.corpsecret ?? '');
    if (!credential) return err(40001, 'invalid secret');
    // WeCom hands out the same token until it expires; a token refused as invalid is replaced.
    const live = [...corp.tokens].find(
      ([t, v]) => v.credential === credential && v.expiresAt > now() && !invalid.has(t),
    );
    if (live)
      return ok({ access_token: live[0], expires_in: Math.floor((live[1].expiresAt - now()) / 1000) });
    const token = randomBytes(32).toString('base64url');
    corp.tokens.set(token, { credential, expiresAt: now() + ttlMs });
    return ok({ access_token: token, expires_in: ttlMs / 1000 });
  }

  async function serve(
    method: string,
    path: string,
    query: Record<string, string>,
    raw: Buffer,
    contentType: string,
  ) {
    if (path === '/cgi-bin/gettoken')
      return method === 'GET' ? gettoken(query) : err(43001, 'require GET method');
    const token = query.access_token;
    if (!token) return err(41001, 'access_token missing');
    const known = corp.tokens.get(token);
    if (!known || invalid.has(token)) return err(40014, 'invalid access_token');
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
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(raw),
      })
        .formData()
        .catch(() => undefined);
      if (!form) return err(47001, 'data format error');
      return route(corp, { method, path, query: rest, body: {}, form, credential: known.credential });
    }
    const body = parseJson(raw);
    if (body === undefined) return err(47001, 'data format error');
    return route(corp, { method, path, query: rest, body, credential: known.credential });
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const { access_token: _t, corpsecret: _s, ...shownQuery } = query;
    const shownBody = contentType.startsWith('multipart/') ? { multipart: true } : (parseJson(raw) ?? {});
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: shownQuery, body: shownBody });
    const answer = await serve(req.method ?? 'GET', url.pathname, query, raw, contentType);
    const lose = lostAnswers.get(url.pathname) ?? 0;
    if (lose > 0) {
      lostAnswers.set(url.pathname, lose - 1);
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function signed(how: PushOptions, encrypted: string) {
    const settings = options.callback;
    if (!settings) throw new Error('the fake has no callback settings');
    const timestamp = String(Math.floor(now() / 1000));
    const nonce = how.nonce ?? randomBytes(6).toString('hex');
    return { timestamp, nonce, msg_signature: getSignature(settings.token, timestamp, nonce, encrypted) };
  }
  const sealed = (plain: string, how: PushOptions) =>
    encrypt(options.callback!.encodingAESKey, plain, how.receiveId ?? options.corpId);

  return {
    url: `http://127.0.0.1:${port}`,
    push(fields, how = {}) {
      const agent = how.agentId ?? options.apps[0]?.agentId ?? 0;
      const plain = buildWechatXml({ ToUserName: options.corpId, ...fields });
      const encrypted = sealed(plain, how);
      const body = buildWechatXml({ ToUserName: options.corpId, AgentID: String(agent), Encrypt: encrypted });
      return { method: 'POST', path: '', headers: {}, query: signed(how, encrypted), body };
    },
    verifyUrl(echo, how = {}) {
      const encrypted = sealed(echo, how);
      return {
        method: 'GET',
        path: '',
        headers: {},
        query: { ...signed(how, encrypted), echostr: encrypted },
        body: '',
      };
    },
    corp,
    requests,
    failNext(path, errcode, errmsg = 'injected', times = 1) {
      faults.push({ path, errcode, errmsg, times });
    },
    failAfter(path, after, errcode, errmsg = 'injected') {
      faults.push({ path, errcode, errmsg, times: 1, skip: after });
    },
    loseAnswerNext(path, times = 1) {
      lostAnswers.set(path, (lostAnswers.get(path) ?? 0) + times);
    },
    expireTokens() {
      for (const v of corp.tokens.values()) v.expiresAt = now();
    },
    invalidateTokens() {
      for (const t of corp.tokens.keys()) invalid.add(t);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
