import type { FakeCorp } from './corp.js';

/** A request as a route sees it, the access token already checked. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  /** The multipart form of `media/upload`. */
  form?: FormData;
  /** Which secret the access token was issued for: `app-<agentId>` or `contact`. */
  credential: string;
}

export type Answer = Record<string, unknown>;
export type Route = (corp: FakeCorp, req: FakeRequest) => Answer | Promise<Answer>;

/** WeCom's error answer. */
export const err = (errcode: number, errmsg: string, extra: Answer = {}): Answer => ({
  errcode,
  errmsg,
  ...extra,
});

export const ok = (extra: Answer = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...extra });
