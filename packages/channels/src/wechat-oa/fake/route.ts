import type { FakeAccount } from './account.js';

/** A request as a route sees it, the access token already checked. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export type Answer = Record<string, unknown>;
export type Route = (account: FakeAccount, req: FakeRequest) => Answer;

/** WeChat's error answer. */
export const err = (errcode: number, errmsg: string, extra: Answer = {}): Answer => ({
  errcode,
  errmsg,
  ...extra,
});

export const ok = (extra: Answer = {}): Answer => ({ errcode: 0, errmsg: 'ok', ...extra });
