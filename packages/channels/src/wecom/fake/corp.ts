import { randomBytes } from 'node:crypto';
import { FakeCustomers } from './customers.js';

export interface FakeMember {
  userid: string;
  /** In the app's visible range (可见范围). Default true. */
  visible: boolean;
  /** Has a basic interface licence (基础接口许可). Default true. */
  licensed: boolean;
}

/** A message a member received in the WeCom client from an app. */
export interface FakeAppMessage {
  msgid: string;
  agentid: number;
  userid: string;
  msgtype: string;
  payload: Record<string, unknown>;
  at: Date;
  recalled: boolean;
}

/** A customer group (客户群) as `groupchat/get` describes it. */
export interface FakeGroup {
  chatId: string;
  name: string;
  owner: string;
  createTime: Date;
  members: { userid: string; type: 1 | 2; joinTime: Date; unionid?: string }[];
}

export interface FakeCorpOptions {
  corpId: string;
  apps: { agentId: number; secret: string }[];
  contactSecret?: string;
  /** The fake's clock. Default the wall clock. */
  now?: () => Date;
}

/** The state of the fake corp: members, apps, tokens, media and what was delivered. */
export class FakeCorp {
  readonly now: () => Date;
  readonly members = new Map<string, FakeMember>();
  readonly tokens = new Map<string, { credential: string; expiresAt: number }>();
  readonly media = new Map<string, { type: string; size: number; filename: string; expiresAt: number }>();
  readonly inbox: FakeAppMessage[] = [];
  /** Messages WeCom dropped silently: over 30 a minute or 1,000 an hour to one member from one app. */
  readonly dropped: { userid: string; agentid: number; at: Date }[] = [];
  /** Request bodies seen with `enable_duplicate_check`, by app: until when a repeat is not delivered. */
  readonly duplicateUntil = new Map<string, { until: number; msgid: string }>();
  readonly customers: FakeCustomers;
  readonly groups = new Map<string, FakeGroup>();

  constructor(readonly options: FakeCorpOptions) {
    this.now = options.now ?? (() => new Date());
    this.customers = new FakeCustomers(this.now);
  }

  addMember(userid: string, extra: Partial<Omit<FakeMember, 'userid'>> = {}): FakeMember {
    const member = { userid, visible: true, licensed: true, ...extra };
    this.members.set(userid.toLowerCase(), member);
    return member;
  }

  /** The credential a secret belongs to, or undefined. */
  credentialOf(secret: string): string | undefined {
    const app = this.options.apps.find((a) => a.secret === secret);
    if (app) return `app-${app.agentId}`;
    return this.options.contactSecret !== undefined && secret === this.options.contactSecret
      ? 'contact'
      : undefined;
  }

  /** Messages delivered to `userid`, recalled ones included. */
  received(userid: string): FakeAppMessage[] {
    return this.inbox.filter((m) => m.userid === userid.toLowerCase());
  }

  /** Whether WeCom would still deliver one more message from `agentid` to `userid` now. */
  underMemberLimits(agentid: number, userid: string): boolean {
    const t = this.now().getTime();
    const mine = this.inbox.filter((m) => m.agentid === agentid && m.userid === userid);
    const lastMinute = mine.filter((m) => m.at.getTime() > t - 60_000).length;
    const lastHour = mine.filter((m) => m.at.getTime() > t - 3_600_000).length;
    return lastMinute < 30 && lastHour < 1000;
  }

  newId(prefix: string): string {
    return `${prefix}${randomBytes(12).toString('hex')}`;
  }
}
