import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest } from '@qunfa/core';
import { chinaDate, formatChinaTime } from '../sms/china-time.js';
import { verifyTc3 } from './fake/tc3.js';

/** One number of an accepted SendSms, with the receipt the fake will report. */
export interface FakeTencentRecord {
  serialNo: string;
  phone: string;
  templateId: string;
  params: string[];
  sessionContext: string;
  at: Date;
  reportStatus: 'SUCCESS' | 'FAIL';
  errmsg: string;
}

export interface FakeTencentRequest {
  action: string;
  body: Record<string, unknown>;
  phones: string[];
}

export interface FakeTencentOptions {
  secretId?: string;
  secretKey?: string;
  smsSdkAppId?: string;
  signNames?: string[];
  /** Approved template ids → number of parameters. */
  templates?: Record<string, number>;
  /** Messages a number may get a China day before LimitExceeded.PhoneNumberDailyLimit. Default 10. */
  perNumberDailyLimit?: number;
  callbackToken?: string;
  now?: () => Date;
}

export interface FakeTencent {
  /** `host:port`, the channel's `endpoint` (with `protocol: 'http://'`). */
  endpoint: string;
  records: FakeTencentRecord[];
  requests: FakeTencentRequest[];
  /** Numbers the carrier reports undeliverable, with the receipt code. */
  undeliverable: Map<string, string>;
  /** Numbers in the 免打扰 list (FailedOperation.PhoneNumberInBlacklist). */
  blacklist: Set<string>;
  /** Replies users sent, waiting for PullSmsReplyStatus. */
  addReply(phone: string, text: string): void;
  failNext(action: string, code: string, message?: string, times?: number): void;
  /** Answers the next `times` calls of `action` only after `holdMs` (taken or not): the client times out. */
  loseNextAnswer(action: string, options: { taken: boolean; holdMs: number; times?: number }): void;
  outage(): void;
  restore(): void;
  /** The status callback for these records (default all), as Tencent POSTs it. */
  statusCallback(records?: FakeTencentRecord[], options?: { token?: string }): CallbackRequest;
  replyCallback(phone: string, text: string, options?: { time?: number; token?: string }): CallbackRequest;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const MAINLAND = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;

/**
 * A fake of Tencent Cloud SMS (2021-01-11) from its API pages: TC3-HMAC-SHA256 checked, SendSms
 * (≤ 200 numbers, a Code and SerialNo per number, per-number daily limit, 免打扰 list), receipts and
 * replies handed out once by PullSmsSendStatus / PullSmsReplyStatus, PullSmsSendStatusByPhoneNumber,
 * and the status / reply callbacks to hand to the channel.
 */
export async function startFakeTencent(options: FakeTencentOptions = {}): Promise<FakeTencent> {
  const secretId = options.secretId ?? 'AKIDfakeSecretId';
  const secretKey = options.secretKey ?? 'fakeSecretKey';
  const appId = options.smsSdkAppId ?? '1400000001';
  const signs = new Set(options.signNames ?? ['腾讯云']);
  const templates = new Map(Object.entries(options.templates ?? { '1110': 1 }));
  const dailyLimit = options.perNumberDailyLimit ?? 10;
  const now = options.now ?? (() => new Date());
  const records: FakeTencentRecord[] = [];
  const requests: FakeTencentRequest[] = [];
  const undeliverable = new Map<string, string>();
  const blacklist = new Set<string>();
  const replies: { phone: string; text: string; time: number }[] = [];
  const pulled = new Set<FakeTencentRecord>();
  const faults: { action: string; code: string; message: string; times: number }[] = [];
  const lost: { action: string; taken: boolean; holdMs: number; times: number }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let down = false;
  let serial = 0;

  const error = (Code: string, Message: string) => ({ Error: { Code, Message } });

  function sendSms(body: Record<string, unknown>) {
    const phones = Array.isArray(body.PhoneNumberSet) ? body.PhoneNumberSet.map(String) : [];
    if (phones.length === 0) return error('MissingParameter.EmptyPhoneNumberSet', '号码为空');
    if (phones.length > 200) return error('LimitExceeded.PhoneNumberCountLimit', '单次提交号码数超过200');
    if (body.SmsSdkAppId !== appId) return error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId不存在');
    if (!signs.has(String(body.SignName ?? '')))
      return error('FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误');
    const templateId = String(body.TemplateId ?? '');
    const params = Array.isArray(body.TemplateParamSet) ? body.TemplateParamSet.map(String) : [];
    if (templates.get(templateId) === undefined)
      return error('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配');
    if (templates.get(templateId) !== params.length)
      return error('InvalidParameterValue.TemplateParameterFormatError', '模板参数个数不符');
    const sessionContext = String(body.SessionContext ?? '');
    const day = chinaDate(now());
    const SendStatusSet = phones.map((raw) => {
      const m = MAINLAND.exec(raw);
      const phone = m ? `+86${m[1]}` : raw;
      const base = {
        SerialNo: '',
        PhoneNumber: phone,
        Fee: 0,
        SessionContext: sessionContext,
        IsoCode: m ? 'CN' : 'DEF',
      };
      if (!m)
        return { ...base, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: '手机号格式错误' };
      if (blacklist.has(phone))
        return { ...base, Code: 'FailedOperation.PhoneNumberInBlacklist', Message: '手机号在免打扰名单库中' };
      const today = records.filter((r) => r.phone === phone && chinaDate(r.at) === day).length;
      if (today >= dailyLimit)
        return {
          ...base,
          Code: 'LimitExceeded.PhoneNumberDailyLimit',
          Message: '单个手机号日下发短信条数超过设定的上限',
        };
      const serialNo = `${2645 + (++serial % 7)}:${String(now().getTime()).slice(-10)}${String(serial).padStart(6, '0')}`;
      const failed = undeliverable.get(phone);
      records.push({
        serialNo,
        phone,
        templateId,
        params,
        sessionContext,
        at: now(),
        reportStatus: failed ? 'FAIL' : 'SUCCESS',
        errmsg: failed ?? 'DELIVRD',
      });
      return { ...base, SerialNo: serialNo, Fee: 1, Code: 'Ok', Message: 'send success' };
    });
    return { SendStatusSet };
  }

  const receipt = (r: FakeTencentRecord) => ({
    UserReceiveTime: Math.floor(r.at.getTime() / 1000) + 3,
    CountryCode: '86',
    SubscriberNumber: r.phone.slice(3),
    PhoneNumber: r.phone,
    SerialNo: r.serialNo,
    ReportStatus: r.reportStatus,
    Description: r.errmsg,
    SessionContext: r.sessionContext,
  });

  function serve(action: string, body: Record<string, unknown>) {
    if (action !== 'SendSms' && body.SmsSdkAppId !== appId)
      return error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId不存在');
    switch (action) {
      case 'SendSms':
        return sendSms(body);
      case 'PullSmsSendStatus': {
        const limit = Number(body.Limit);
        if (!(limit >= 1 && limit <= 100)) return error('InvalidParameterValue', 'Limit 取值 1~100');
        const due = records.filter((r) => !pulled.has(r)).slice(0, limit);
        for (const r of due) pulled.add(r);
        return { PullSmsSendStatusSet: due.map(receipt) };
      }
      case 'PullSmsSendStatusByPhoneNumber': {
        const begin = Number(body.BeginTime) * 1000;
        const rows = records.filter((r) => r.phone === body.PhoneNumber && r.at.getTime() >= begin);
        return {
          PullSmsSendStatusSet: rows
            .slice(Number(body.Offset ?? 0), Number(body.Offset ?? 0) + Number(body.Limit ?? 100))
            .map(receipt),
        };
      }
      case 'PullSmsReplyStatus': {
        const due = replies.splice(0, Number(body.Limit) || 100);
        return {
          PullSmsReplyStatusSet: due.map((r) => ({
            ExtendCode: '',
            CountryCode: '86',
            SubscriberNumber: r.phone.replace(/^\+86/, ''),
            PhoneNumber: r.phone,
            SignName: [...signs][0],
            ReplyContent: r.text,
            ReplyTime: r.time,
            ReplyUnixTime: r.time,
          })),
        };
      }
      default:
        return error('InvalidAction', `接口 ${action} 不存在`);
    }
  }

  const answer = (res: ServerResponse, response: Record<string, unknown>) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ Response: { ...response, RequestId: `fake-${requests.length}` } }));
  };

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (down) {
      res.writeHead(503);
      return res.end('Service Unavailable');
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const verdict = verifyTc3(
      { headers, body: raw, path: new URL(req.url ?? '/', 'http://x').pathname },
      (id) => (id === secretId ? secretKey : undefined),
      now(),
    );
    if (verdict !== 'ok') return answer(res, error(verdict, 'signature check failed'));
    if (headers['x-tc-version'] !== '2021-01-11')
      return answer(res, error('InvalidParameterValue', 'Version'));
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return answer(res, error('FailedOperation.JsonParseFail', '解析请求包体时候失败'));
    }
    const action = headers['x-tc-action'] ?? '';
    requests.push({
      action,
      body,
      phones: Array.isArray(body.PhoneNumberSet) ? body.PhoneNumberSet.map(String) : [],
    });
    const fault = faults.find((f) => f.action === action && f.times > 0);
    if (fault) {
      fault.times--;
      return answer(res, error(fault.code, fault.message));
    }
    const loss = lost.find((l) => l.action === action && l.times > 0);
    const result = loss && !loss.taken ? error('InternalError', 'late') : serve(action, body);
    if (loss) {
      loss.times--;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(res, result);
      }, loss.holdMs);
      timers.add(timer);
      return;
    }
    answer(res, result);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const token = (t?: string): Record<string, string> => {
    const value = t ?? options.callbackToken;
    return value === undefined ? {} : { token: value };
  };

  return {
    endpoint: `127.0.0.1:${port}`,
    records,
    requests,
    undeliverable,
    blacklist,
    addReply(phone, text) {
      replies.push({ phone, text, time: Math.floor(now().getTime() / 1000) });
    },
    failNext(action, code, message = 'injected', times = 1) {
      faults.push({ action, code, message, times });
    },
    loseNextAnswer(action, { taken, holdMs, times = 1 }) {
      lost.push({ action, taken, holdMs, times });
    },
    outage() {
      down = true;
    },
    restore() {
      down = false;
    },
    statusCallback(list = records, opts = {}) {
      const body = list.map((r) => ({
        user_receive_time: formatChinaTime(new Date(r.at.getTime() + 3000)),
        nationcode: '86',
        mobile: r.phone.slice(3),
        report_status: r.reportStatus,
        errmsg: r.errmsg,
        description: r.reportStatus === 'SUCCESS' ? '用户短信送达成功' : '用户短信未送达',
        sid: r.serialNo,
      }));
      return {
        method: 'POST',
        path: '/status',
        headers: { 'content-type': 'application/json' },
        query: token(opts.token),
        body: JSON.stringify(body),
      };
    },
    replyCallback(phone, text, opts = {}) {
      const body = {
        extend: '',
        mobile: phone.replace(/^\+86/, ''),
        nationcode: '86',
        sign: [...signs][0],
        text,
        time: opts.time ?? Math.floor(now().getTime() / 1000),
      };
      return {
        method: 'POST',
        path: '/reply',
        headers: { 'content-type': 'application/json' },
        query: token(opts.token),
        body: JSON.stringify(body),
      };
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
