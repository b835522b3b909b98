import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest } from '@qunfa/core';
import { formatChinaTime } from '../sms/china-time.js';
import {
  type AliyunAnswer,
  FakeAliyunAccount,
  type FakeAliyunAccountOptions,
  type FakeAliyunRecord,
} from './fake/account.js';
import { verifyAcs3 } from './fake/acs3.js';

export { FakeAliyunAccount, type FakeAliyunRecord } from './fake/account.js';

/** One API request the fake received (signature checked), its parameters as sent. */
export interface FakeAliyunRequest {
  action: string;
  params: Record<string, string>;
  /** The numbers of a send call, as sent. */
  phones: string[];
}

export interface FakeAliyunOptions extends FakeAliyunAccountOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  /** The token the fake's pushes carry in their URL (`callbackToken` of the channel). */
  callbackToken?: string;
}

export interface FakeAliyun {
  /** `host:port`, the channel's `endpoint` (with `protocol: 'http'`). */
  endpoint: string;
  account: FakeAliyunAccount;
  requests: FakeAliyunRequest[];
  /** Answers the next `times` calls of `action` with `code` (HTTP `status`, 200 for business codes). */
  failNext(action: string, code: string, message?: string, times?: number, status?: number): void;
  /** Takes (`taken: true`) or drops the next `times` calls of `action`, then answers only after `holdMs`: the client times out. */
  loseNextAnswer(action: string, options: { taken: boolean; holdMs: number; times?: number }): void;
  /** Until `restore()`: every call answered 503 ServiceUnavailable (`'503'`) or its connection reset (`'reset'`). */
  outage(mode?: '503' | 'reset'): void;
  restore(): void;
  /** The SmsReport push of these records (default: all), as Aliyun POSTs it to the configured URL. */
  reportPush(records?: FakeAliyunRecord[], options?: { token?: string }): CallbackRequest;
  /** An SmsUp push: a reply from `phone`. */
  upPush(phone: string, content: string, options?: { sequenceId?: number; token?: string }): CallbackRequest;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function phonesOf(action: string, params: Record<string, string>): string[] {
  if (action === 'SendSms') return (params.PhoneNumbers ?? '').split(',').filter((p) => p !== '');
  if (action === 'SendBatchSms') {
    try {
      const list: unknown = JSON.parse(params.PhoneNumberJson ?? '[]');
      return Array.isArray(list) ? list.map(String) : [];
    } catch {
      return [];
    }
  }
  return [];
}

function parseJsonArray(text: string | undefined): unknown[] | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fake of Aliyun SMS (dysmsapi 2017-05-25) for tests, written from its API pages: V3
 * (ACS3-HMAC-SHA256) signatures checked, `SendSms` (≤ 1,000 numbers), `SendBatchSms` (≤ 100,
 * arrays of equal length), `QuerySendDetails` (one number, one China day, pages of ≤ 50), business
 * codes with HTTP 200, per-number daily limits, and SmsReport / SmsUp pushes to hand to the channel.
 */
export async function startFakeAliyun(options: FakeAliyunOptions = {}): Promise<FakeAliyun> {
  const account = new FakeAliyunAccount(options);
  const accessKeyId = options.accessKeyId ?? 'LTAIfakeAccessKeyId';
  const accessKeySecret = options.accessKeySecret ?? 'fakeAccessKeySecret';
  const requests: FakeAliyunRequest[] = [];
  const faults: { action: string; code: string; message: string; times: number; status: number }[] = [];
  const lost: { action: string; taken: boolean; holdMs: number; times: number }[] = [];
  let down: '503' | 'reset' | undefined;
  const timers = new Set<NodeJS.Timeout>();

  function serve(action: string, params: Record<string, string>): AliyunAnswer {
    switch (action) {
      case 'SendSms': {
        const phones = phonesOf(action, params);
        if (phones.length === 0)
          return FakeAliyunAccount.fail('isv.INVALID_PARAMETERS', 'PhoneNumbers 不能为空');
        if (phones.length > 1000)
          return FakeAliyunAccount.fail('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
        const param =
          params.TemplateParam === undefined ? {} : parseJsonArray(`[${params.TemplateParam}]`)?.[0];
        if (param === undefined) return FakeAliyunAccount.fail('isv.INVALID_JSON_PARAM', 'JSON参数不合法');
        return account.accept({
          phones,
          signNames: phones.map(() => params.SignName ?? ''),
          templateCode: params.TemplateCode ?? '',
          params: phones.map(() => param),
          outId: params.OutId ?? '',
        });
      }
      case 'SendBatchSms': {
        const phones = parseJsonArray(params.PhoneNumberJson);
        const signs = parseJsonArray(params.SignNameJson);
        const values = params.TemplateParamJson === undefined ? [] : parseJsonArray(params.TemplateParamJson);
        if (!phones || !signs || !values)
          return FakeAliyunAccount.fail('isv.INVALID_JSON_PARAM', 'JSON参数不合法');
        if (phones.length > 100)
          return FakeAliyunAccount.fail('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
        if (signs.length !== phones.length || (values.length > 0 && values.length !== phones.length))
          return FakeAliyunAccount.fail('isv.INVALID_PARAMETERS', '号码、签名与模板参数的个数不一致');
        return account.accept({
          phones: phones.map(String),
          signNames: signs.map(String),
          templateCode: params.TemplateCode ?? '',
          params: values.length > 0 ? values : phones.map(() => ({})),
          outId: params.OutId ?? '',
        });
      }
      case 'QuerySendDetails':
        return account.query({
          phone: params.PhoneNumber ?? '',
          sendDate: params.SendDate ?? '',
          ...(params.BizId ? { bizId: params.BizId } : {}),
          pageSize: Number(params.PageSize ?? 10),
          page: Number(params.CurrentPage ?? 1),
        });
      default:
        return FakeAliyunAccount.fail('InvalidAction.NotFound', `Specified api is not found`);
    }
  }

  const answer = (res: ServerResponse, status: number, body: AliyunAnswer) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (down === 'reset') return req.socket.destroy();
    if (down === '503')
      return answer(res, 503, {
        Code: 'ServiceUnavailable',
        Message: 'The request has failed due to a temporary failure of the server.',
        RequestId: 'FAKE-DOWN',
      });
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const verdict = verifyAcs3(
      { method: req.method ?? 'GET', path: url.pathname, query, headers, body },
      (id) => (id === accessKeyId ? accessKeySecret : undefined),
    );
    if (verdict !== 'ok')
      return answer(res, verdict === 'InvalidAccessKeyId.NotFound' ? 404 : 400, {
        Code: verdict,
        Message: 'Specified signature is not matched with our calculation.',
        RequestId: 'FAKE-SIG',
      });
    if (headers['x-acs-version'] !== '2017-05-25')
      return answer(res, 400, {
        Code: 'InvalidVersion',
        Message: 'Specified parameter Version is not valid.',
        RequestId: 'FAKE-V',
      });
    const form = headers['content-type']?.includes('x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(body))
      : {};
    const params = { ...query, ...form };
    const action = headers['x-acs-action'] ?? '';
    requests.push({ action, params, phones: phonesOf(action, params) });

    const fault = faults.find((f) => f.action === action && f.times > 0);
    if (fault) {
      fault.times--;
      return answer(res, fault.status, { Code: fault.code, Message: fault.message, RequestId: 'FAKE-FAULT' });
    }
    const loss = lost.find((l) => l.action === action && l.times > 0);
    const result = loss && !loss.taken ? undefined : serve(action, params);
    if (loss) {
      loss.times--;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(res, 200, result ?? FakeAliyunAccount.fail('isp.SYSTEM_ERROR', 'late'));
      }, loss.holdMs);
      timers.add(timer);
      return;
    }
    answer(res, 200, result ?? {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const push = (path: string, items: unknown[], token: string | undefined): CallbackRequest => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    query: token === undefined ? {} : { token },
    body: JSON.stringify(items),
  });

  return {
    endpoint: `127.0.0.1:${port}`,
    account,
    requests,
    failNext(action, code, message = 'injected', times = 1, status = 200) {
      faults.push({ action, code, message, times, status });
    },
    loseNextAnswer(action, { taken, holdMs, times = 1 }) {
      lost.push({ action, taken, holdMs, times });
    },
    outage(mode = '503') {
      down = mode;
    },
    restore() {
      down = undefined;
    },
    reportPush(records = account.records, opts = {}) {
      const items = records.map((r) => ({
        phone_number: r.phone,
        send_time: formatChinaTime(r.at),
        report_time: formatChinaTime(new Date(r.at.getTime() + 3000)),
        success: r.sendStatus === 3,
        err_code: r.errCode,
        err_msg: r.sendStatus === 3 ? '用户接收成功' : '失败',
        sms_size: '1',
        biz_id: r.bizId,
        out_id: r.outId,
      }));
      return push('/report', items, opts.token ?? options.callbackToken);
    },
    upPush(phone, content, opts = {}) {
      const item = {
        phone_number: phone,
        send_time: formatChinaTime(account.now()),
        content,
        sign_name: [...account.signNames][0] ?? '',
        dest_code: '1234',
        sequence_id: opts.sequenceId ?? Math.floor(Math.random() * 1e9),
      };
      return push('/up', [item], opts.token ?? options.callbackToken);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
