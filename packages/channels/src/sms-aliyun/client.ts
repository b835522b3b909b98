import type Dysmsapi from '@alicloud/dysmsapi20170525';
import { AliyunSmsAmbiguousError, AliyunSmsError, AliyunSmsUnreachableError } from './errors.js';
import type { SmsAliyunConfig } from './options.js';

/** One row of `QuerySendDetails` (SmsSendDetailDTO). */
export interface AliyunSendDetail {
  phone: string;
  /** 1 waiting for the receipt, 2 failed, 3 delivered. */
  sendStatus: number;
  errCode: string;
  templateCode: string;
  outId: string;
  sendDate: string;
  receiveDate: string;
}

/** The three documented calls the channel makes, through the official SDK, with typed errors. */
export interface AliyunSmsClient {
  /** `SendSms`: one template and parameters for up to 1,000 numbers. */
  sendSms(call: {
    phones: string[];
    templateCode: string;
    templateParam: Record<string, string> | undefined;
    outId: string;
  }): Promise<{ bizId: string }>;
  /** `SendBatchSms`: one template, a sign and parameters per number, up to 100 numbers. */
  sendBatchSms(call: {
    phones: string[];
    templateCode: string;
    templateParams: Record<string, string>[] | undefined;
    outId: string;
  }): Promise<{ bizId: string }>;
  /** `QuerySendDetails`: one number's records of a China day, a page of up to 50. */
  querySendDetails(query: {
    phone: string;
    sendDate: string;
    bizId?: string;
    page: number;
    pageSize: number;
  }): Promise<{ total: number; details: AliyunSendDetail[] }>;
}

// A CommonJS package: Node hands over `module.exports` (the class is its `default`); bundlers the class.
type SdkClass = typeof Dysmsapi.default;
type SdkClient = InstanceType<SdkClass>;

/**
 * The SDK, loaded at the first call: it is ~40 MB of a process's resident memory, and every
 * process that loads the built-in channels (a worker sending only e-mail, say) would carry it.
 */
async function loadSdk() {
  const [dysmsapi, { $OpenApiUtil }, { RuntimeOptions }] = await Promise.all([
    import('@alicloud/dysmsapi20170525'),
    import('@alicloud/openapi-core'),
    import('@darabonba/typescript'),
  ]);
  // A CommonJS package: Node hands over `module.exports` as `default` (the class is its own
  // `default`, the request classes beside it); a bundler or vite may hand over the class as
  // `default` and the request classes as named exports.
  const named = dysmsapi as unknown as typeof Dysmsapi;
  const exported = ((dysmsapi as { default?: unknown }).default ?? dysmsapi) as typeof Dysmsapi;
  const SdkClass: SdkClass =
    typeof exported.default === 'function' ? exported.default : (exported as unknown as SdkClass);
  return {
    SdkClass,
    $OpenApiUtil,
    RuntimeOptions,
    SendSmsRequest: exported.SendSmsRequest ?? named.SendSmsRequest,
    SendBatchSmsRequest: exported.SendBatchSmsRequest ?? named.SendBatchSmsRequest,
    QuerySendDetailsRequest: exported.QuerySendDetailsRequest ?? named.QuerySendDetailsRequest,
  };
}

/** Codes of a socket that never connected: nothing reached Aliyun. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The SDK's error as one of ours; its message (which quotes the query string, numbers included) is dropped. */
function translate(error: unknown, action: string): Error {
  const e = error as { name?: string; code?: unknown; statusCode?: unknown; data?: { Message?: unknown } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (status > 0 && typeof e.code === 'string') {
    const message = typeof e.data?.Message === 'string' ? e.data.Message : '';
    return new AliyunSmsError(e.code, message, status);
  }
  if (typeof e.code === 'string' && unreachableCodes.has(e.code))
    return new AliyunSmsUnreachableError(`${action}: Aliyun unreachable (${e.code})`);
  const why =
    e.name === 'RequestTimeoutError'
      ? 'timed out'
      : `failed (${typeof e.code === 'string' ? e.code : e.name})`;
  return new AliyunSmsAmbiguousError(`${action}: the call ${why}; it may have been processed`);
}

function checkBody(body: { code?: string; message?: string } | undefined, status: number): void {
  const code = body?.code ?? '';
  if (code !== 'OK') throw new AliyunSmsError(code || 'EmptyResponse', body?.message ?? '', status);
}

export function createAliyunSmsClient(config: SmsAliyunConfig): AliyunSmsClient {
  let client: Promise<{ api: Awaited<ReturnType<typeof loadSdk>>; sdk: SdkClient }> | undefined;
  // Built at the first call; a failure to load is not a call that may have been processed, so it is not translated.
  const connect = () => {
    client ??= loadSdk().then((api) => ({
      api,
      sdk: new api.SdkClass(
        new api.$OpenApiUtil.Config({
          accessKeyId: config.accessKeyId,
          accessKeySecret: config.accessKeySecret,
          endpoint: config.endpoint,
          protocol: config.protocol,
          readTimeout: config.timeoutMs,
          connectTimeout: config.connectTimeoutMs,
        }),
      ),
    }));
    return client;
  };
  // Aliyun has no idempotency key: the SDK's own retries would re-send after a timeout.
  const runtime = (api: Awaited<ReturnType<typeof loadSdk>>) =>
    new api.RuntimeOptions({
      autoretry: false,
      maxAttempts: 0,
      readTimeout: config.timeoutMs,
      connectTimeout: config.connectTimeoutMs,
    });
  const call = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw translate(error, action);
    }
  };

  return {
    async sendSms({ phones, templateCode, templateParam, outId }) {
      const { api, sdk } = await connect();
      const response = await call('SendSms', () =>
        sdk.sendSmsWithOptions(
          new api.SendSmsRequest({
            phoneNumbers: phones.join(','),
            signName: config.signName,
            templateCode,
            ...(templateParam === undefined ? {} : { templateParam: JSON.stringify(templateParam) }),
            outId,
          }),
          runtime(api),
        ),
      );
      checkBody(response.body, response.statusCode ?? 200);
      return { bizId: response.body?.bizId ?? '' };
    },
    async sendBatchSms({ phones, templateCode, templateParams, outId }) {
      const { api, sdk } = await connect();
      const response = await call('SendBatchSms', () =>
        sdk.sendBatchSmsWithOptions(
          new api.SendBatchSmsRequest({
            phoneNumberJson: JSON.stringify(phones),
            signNameJson: JSON.stringify(phones.map(() => config.signName)),
            templateCode,
            ...(templateParams === undefined ? {} : { templateParamJson: JSON.stringify(templateParams) }),
            outId,
          }),
          runtime(api),
        ),
      );
      checkBody(response.body, response.statusCode ?? 200);
      return { bizId: response.body?.bizId ?? '' };
    },
    async querySendDetails({ phone, sendDate, bizId, page, pageSize }) {
      const { api, sdk } = await connect();
      const response = await call('QuerySendDetails', () =>
        sdk.querySendDetailsWithOptions(
          new api.QuerySendDetailsRequest({
            phoneNumber: phone,
            sendDate,
            pageSize,
            currentPage: page,
            ...(bizId === undefined ? {} : { bizId }),
          }),
          runtime(api),
        ),
      );
      checkBody(response.body, response.statusCode ?? 200);
      const rows = response.body?.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
      return {
        total: Number(response.body?.totalCount ?? rows.length),
        details: rows.map((r) => ({
          phone: r.phoneNum ?? '',
          sendStatus: Number(r.sendStatus ?? 0),
          errCode: r.errCode ?? '',
          templateCode: r.templateCode ?? '',
          outId: r.outId ?? '',
          sendDate: r.sendDate ?? '',
          receiveDate: r.receiveDate ?? '',
        })),
      };
    },
  };
}
