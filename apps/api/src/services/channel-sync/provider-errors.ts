import { isQunfaError, QunfaError, type QunfaErrorCode } from '@qunfa/core';

/**
 * Provider error codes that mean the channel's credentials cannot make the call: WeCom
 * (40001 invalid secret, 40013 invalid corpid, 41004 secret missing, 48002 API forbidden for this
 * secret — the customer-contact secret or an app allowed to call it is needed —, 60011 no
 * privilege, 60020 IP not allowed) and OA (40001 invalid credential, 40013 invalid appid,
 * 40125 invalid appsecret, 40164 IP not whitelisted, 41002/41004 appid/secret missing,
 * 48001 API unauthorised for this account type).
 */
const credentialCodes = new Set([40001, 40013, 40125, 40164, 41002, 41004, 48001, 48002, 60011, 60020]);
/** Frequency limits (45009 daily quota, 45033 WeCom per-minute, 45011 OA per-minute). */
const rateCodes = new Set([45009, 45011, 45033]);

const errcodeOf = (error: unknown): number | undefined => {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code : undefined;
};

/**
 * A provider failure as a QunfaError a client can branch on (the message names no secret).
 * `during` a sync, a rate limit says the sync resumes; for a single call it says nothing more.
 */
export function syncError(channel: string, error: unknown, during: 'sync' | 'call' = 'sync'): QunfaError {
  if (isQunfaError(error)) return error;
  const errcode = errcodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  let code: QunfaErrorCode = 'PLUGIN_FAILED';
  if (errcode !== undefined && credentialCodes.has(errcode)) code = 'CHANNEL_CREDENTIALS_MISSING';
  else if (errcode !== undefined && rateCodes.has(errcode)) code = 'RATE_LIMITED';
  const hint =
    code === 'CHANNEL_CREDENTIALS_MISSING'
      ? ' (configure credentials that may call this API: WeCom WECOM_CONTACT_SECRET or an app with customer contact; OA AppID/AppSecret of a verified account, server IP whitelisted)'
      : code === 'RATE_LIMITED' && during === 'sync'
        ? ' (start the sync again later: it resumes where it stopped)'
        : '';
  return new QunfaError(code, `${message}${hint}`, {
    plugin: channel,
    details: { channel, ...(errcode === undefined ? {} : { providerCode: errcode }) },
    cause: error,
  });
}

/** A failure worth trying again in the same run: the provider did not answer, or was busy (-1). */
export function isTransient(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'WecomNetworkError' || name === 'OaNetworkError' || errcodeOf(error) === -1;
}
