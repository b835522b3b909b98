import { type ApiClient, type ApiClientOptions, createApiClient } from '../graphql/api-client.js';
import { errorCodes } from '../graphql/error-code.js';
import type { Viewer } from '../graphql/types.js';
import { ViewerQuery } from './viewer-query.js';

export type VerifyResult = { ok: true; api: ApiClient; viewer: Viewer } | { ok: false; codes: string[] };

/** Asks the API who `apiKey` is; on success returns the client to keep using, else the error codes. */
export async function verifyApiKey(options: ApiClientOptions): Promise<VerifyResult> {
  const api = createApiClient(options);
  const result = await api.client.query(ViewerQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  if (result.data?.viewer && !result.error) return { ok: true, api, viewer: result.data.viewer };
  api.dispose();
  return { ok: false, codes: result.error ? errorCodes(result.error) : ['UNKNOWN'] };
}
