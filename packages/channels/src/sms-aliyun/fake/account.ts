import { chinaDate, formatChinaTime } from '../../sms/china-time.js';

/** One message the fake took (a number of an accepted call), as QuerySendDetails reports it. */
export interface FakeAliyunRecord {
  bizId: string;
  outId: string;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  at: Date;
  /** 1 waiting for the receipt, 2 failed, 3 delivered. */
  sendStatus: 1 | 2 | 3;
  errCode: string;
}

/** A business error Aliyun answers with HTTP 200. */
export type AliyunAnswer = Record<string, unknown>;
const fail = (Code: string, Message: string): AliyunAnswer => ({ Code, Message, RequestId: rid() });
let requestSeq = 0;
const rid = () => `FAKE-${(++requestSeq).toString(16).padStart(8, '0').toUpperCase()}`;

export interface FakeAliyunAccountOptions {
  /** Approved sign names. Default `['阿里云短信测试']`. */
  signNames?: string[];
  /** Approved templates: code → variable names. Default `SMS_154950909` with `code`. */
  templates?: Record<string, string[]>;
  /** A notice per number, sign and template a China day (the default 50), then isv.BUSINESS_LIMIT_CONTROL. */
  perNumberDailyLimit?: number;
  now?: () => Date;
}

const MAINLAND = /^(?:\+86|0086|86)?(1\d{10})$/;

/** The fake's records and rules, written from the SendSms / SendBatchSms / QuerySendDetails pages. */
export class FakeAliyunAccount {
  readonly records: FakeAliyunRecord[] = [];
  readonly signNames: Set<string>;
  readonly templates: Map<string, string[]>;
  /** Numbers the carrier will report undeliverable, with the receipt code. */
  readonly undeliverable = new Map<string, string>();
  /** Numbers Aliyun refuses outright (isv.MOBILE_NUMBER_ILLEGAL), beyond malformed ones. */
  readonly illegal = new Set<string>();
  readonly now: () => Date;
  private readonly perNumberDailyLimit: number;
  private bizSeq = 100000;

  constructor(options: FakeAliyunAccountOptions = {}) {
    this.signNames = new Set(options.signNames ?? ['阿里云短信测试']);
    this.templates = new Map(Object.entries(options.templates ?? { SMS_154950909: ['code'] }));
    this.perNumberDailyLimit = options.perNumberDailyLimit ?? 50;
    this.now = options.now ?? (() => new Date());
  }

  private sentToday(phone: string, sign: string, template: string): number {
    const day = chinaDate(this.now());
    return this.records.filter(
      (r) =>
        r.phone === phone && r.signName === sign && r.templateCode === template && chinaDate(r.at) === day,
    ).length;
  }

  /** Checks and takes one call: every number or none. */
  accept(call: {
    phones: string[];
    signNames: string[];
    templateCode: string;
    params: unknown[];
    outId: string;
  }): AliyunAnswer {
    const national: string[] = [];
    for (const phone of call.phones) {
      const m = MAINLAND.exec(phone.trim());
      if (!m || this.illegal.has(m[1]!)) return fail('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
      national.push(m[1]!);
    }
    for (const sign of call.signNames)
      if (!this.signNames.has(sign)) return fail('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const variables = this.templates.get(call.templateCode);
    if (!variables) return fail('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    const params: Record<string, string>[] = [];
    for (const p of call.params) {
      if (variables.length > 0 && (typeof p !== 'object' || p === null))
        return fail('isv.TEMPLATE_MISSING_PARAMETERS', '模板变量缺少对应参数值');
      const record = (p ?? {}) as Record<string, unknown>;
      for (const v of variables)
        if (typeof record[v] !== 'string' && typeof record[v] !== 'number')
          return fail('isv.TEMPLATE_MISSING_PARAMETERS', '模板变量缺少对应参数值');
      params.push(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)])));
    }
    for (const [i, phone] of national.entries()) {
      if (this.sentToday(phone, call.signNames[i]!, call.templateCode) >= this.perNumberDailyLimit)
        return fail('isv.BUSINESS_LIMIT_CONTROL', `触发天级流控Permits:${this.perNumberDailyLimit}`);
    }
    const bizId = `${++this.bizSeq}${String(this.now().getTime()).slice(-8)}^0`;
    for (const [i, phone] of national.entries()) {
      const failed = this.undeliverable.get(phone);
      this.records.push({
        bizId,
        outId: call.outId,
        phone,
        signName: call.signNames[i]!,
        templateCode: call.templateCode,
        params: params[i] ?? params[0] ?? {},
        at: this.now(),
        sendStatus: failed ? 2 : 3,
        errCode: failed ?? 'DELIVERED',
      });
    }
    return { Code: 'OK', Message: 'OK', BizId: bizId, RequestId: rid() };
  }

  /** `QuerySendDetails` for one number and China day, a page at a time. */
  query(q: {
    phone: string;
    sendDate: string;
    bizId?: string;
    pageSize: number;
    page: number;
  }): AliyunAnswer {
    if (!/^\d{8}$/.test(q.sendDate)) return fail('isv.INVALID_PARAMETERS', 'SendDate 格式错误');
    if (!(q.pageSize >= 1 && q.pageSize <= 50))
      return fail('isv.INVALID_PARAMETERS', 'PageSize 取值范围为 1~50');
    const phone = MAINLAND.exec(q.phone)?.[1] ?? q.phone;
    const rows = this.records.filter(
      (r) =>
        r.phone === phone && chinaDate(r.at) === q.sendDate && (q.bizId === undefined || r.bizId === q.bizId),
    );
    const page = rows.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
    return {
      Code: 'OK',
      Message: 'OK',
      RequestId: rid(),
      TotalCount: String(rows.length),
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: page.map((r) => ({
          PhoneNum: r.phone,
          SendStatus: r.sendStatus,
          ErrCode: r.errCode,
          TemplateCode: r.templateCode,
          Content: `【${r.signName}】${Object.values(r.params).join(' ')}`,
          SendDate: formatChinaTime(r.at),
          ReceiveDate: formatChinaTime(new Date(r.at.getTime() + 3000)),
          OutId: r.outId,
        })),
      },
    };
  }

  static fail = fail;
}
