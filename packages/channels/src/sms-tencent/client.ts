import type * as tencentcloud from 'tencentcloud-sdk-nodejs-sms';
import { TencentSmsAmbiguousError, TencentSmsError, TencentSmsUnavailableError } from './errors.js';
import type { SmsTencentConfig } from './options.js';

/** One number's result of a SendSms (`SendStatusSet[]`). */
export interface TencentSendStatus {
  serialNo: string;
  phone: string;
  code: string;
  message: string;
  sessionContext: string;
}

/** One receipt of PullSmsSendStatus / PullSmsSendStatusByPhoneNumber. */
export interface TencentReceipt {
  serialNo: string;
  phone: string;
  /** Unix seconds. */
  userReceiveTime: number;
  reportStatus: string;
  description: string;
  sessionContext: string;
}

/** One reply of PullSmsReplyStatus. */
export interface TencentReply {
  phone: string;
  signName: string;
  content: string;
  /** Unix seconds. */
  replyTime: number;
  extendCode: string;
}

/** The documented calls the channel makes, through the official SDK (TC3-HMAC-SHA256), with typed errors. */
export interface TencentSmsClient {
  /** SendSms: one template and parameter set, up to 200 numbers. */
  sendSms(call: {
    phones: string[];
    templateId: string;
    params: string[];
    sessionContext: string;
  }): Promise<TencentSendStatus[]>;
  /** PullSmsSendStatus: receipts not pulled before, up to `limit`. */
  pullSmsSendStatus(limit: number): Promise<TencentReceipt[]>;
  /** PullSmsSendStatusByPhoneNumber: one number's receipts since `beginTime` (unix s). */
  pullSmsSendStatusByPhoneNumber(query: {
    phone: string;
    beginTime: number;
    offset: number;
    limit: number;
  }): Promise<TencentReceipt[]>;
  /** PullSmsReplyStatus: replies not pulled before, up to `limit`. */
  pullSmsReplyStatus(limit: number): Promise<TencentReply[]>;
}

type Sdk = typeof tencentcloud;
type SmsClient = InstanceType<Sdk['sms']['v20210111']['Client']>;

/**
 * The SDK's client class, loaded at the first call: ~20 MB of a process's resident memory that a
 * process which never sends through Tencent Cloud (every worker loads the built-in channels) need not carry.
 */
async function loadSmsClient(): Promise<Sdk['sms']['v20210111']['Client']> {
  const loaded = (await import('tencentcloud-sdk-nodejs-sms')) as Sdk & { default?: Sdk };
  const sdk: Sdk = loaded.default?.sms ? loaded.default : loaded;
  return sdk.sms.v20210111.Client;
}

/** The SDK's error as ours; its message (which may quote the request) is not kept. */
function translate(error: unknown, action: string): Error {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string' && e.code !== '') return new TencentSmsError(e.code, message);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(message))
    return new TencentSmsUnavailableError(`${action}: Tencent Cloud unreachable`);
  if (/timeout|ECONNRESET|socket hang up/i.test(message))
    return new TencentSmsAmbiguousError(
      `${action}: the call ${/timeout/i.test(message) ? 'timed out' : 'was reset'}; it may have been processed`,
    );
  return new TencentSmsUnavailableError(
    `${action}: Tencent Cloud answered without a result (${message.slice(0, 60)})`,
  );
}

export function createTencentSmsClient(config: SmsTencentConfig): TencentSmsClient {
  let connected: Promise<SmsClient> | undefined;
  const connect = () => {
    connected ??= loadSmsClient().then(
      (SmsClient) =>
        new SmsClient({
          credential: { secretId: config.secretId, secretKey: config.secretKey },
          region: config.region,
          profile: {
            signMethod: 'TC3-HMAC-SHA256',
            httpProfile: {
              endpoint: config.endpoint,
              protocol: config.protocol,
              reqTimeout: config.timeoutSec,
            },
          },
        }),
    );
    return connected;
  };
  // The client is built before the call: a failure to load it is not a call that may have been processed.
  const call = async <T>(action: string, run: (client: SmsClient) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      return await run(client);
    } catch (error) {
      throw translate(error, action);
    }
  };
  const receipt = (r: {
    SerialNo?: string;
    PhoneNumber?: string;
    UserReceiveTime?: number;
    ReportStatus?: string;
    Description?: string;
    SessionContext?: string;
  }): TencentReceipt => ({
    serialNo: r.SerialNo ?? '',
    phone: r.PhoneNumber ?? '',
    userReceiveTime: Number(r.UserReceiveTime ?? 0),
    reportStatus: r.ReportStatus ?? '',
    description: r.Description ?? '',
    sessionContext: r.SessionContext ?? '',
  });

  return {
    async sendSms({ phones, templateId, params, sessionContext }) {
      const response = await call('SendSms', (client) =>
        client.SendSms({
          PhoneNumberSet: phones,
          SmsSdkAppId: config.smsSdkAppId,
          SignName: config.signName,
          TemplateId: templateId,
          TemplateParamSet: params,
          SessionContext: sessionContext,
        }),
      );
      return (response.SendStatusSet ?? []).map((s) => ({
        serialNo: s.SerialNo ?? '',
        phone: s.PhoneNumber ?? '',
        code: s.Code ?? '',
        message: s.Message ?? '',
        sessionContext: s.SessionContext ?? '',
      }));
    },
    async pullSmsSendStatus(limit) {
      const response = await call('PullSmsSendStatus', (client) =>
        client.PullSmsSendStatus({ Limit: limit, SmsSdkAppId: config.smsSdkAppId }),
      );
      return (response.PullSmsSendStatusSet ?? []).map(receipt);
    },
    async pullSmsSendStatusByPhoneNumber({ phone, beginTime, offset, limit }) {
      const response = await call('PullSmsSendStatusByPhoneNumber', (client) =>
        client.PullSmsSendStatusByPhoneNumber({
          PhoneNumber: phone,
          SmsSdkAppId: config.smsSdkAppId,
          BeginTime: beginTime,
          Offset: offset,
          Limit: limit,
        }),
      );
      return (response.PullSmsSendStatusSet ?? []).map(receipt);
    },
    async pullSmsReplyStatus(limit) {
      const response = await call('PullSmsReplyStatus', (client) =>
        client.PullSmsReplyStatus({ Limit: limit, SmsSdkAppId: config.smsSdkAppId }),
      );
      return (response.PullSmsReplyStatusSet ?? []).map((r) => ({
        phone: r.PhoneNumber ?? '',
        signName: r.SignName ?? '',
        content: r.ReplyContent ?? '',
        replyTime: Number(r.ReplyTime ?? 0),
        extendCode: r.ExtendCode ?? '',
      }));
    },
  };
}
