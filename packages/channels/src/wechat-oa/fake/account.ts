/** The state of one fake Official Account, as WeChat's servers would hold it. */

export interface FakeFollower {
  openid: string;
  unionid?: string;
  tagIds: number[];
  subscribeTime: number;
  /** Mass messages received, by month (`2025-03`): a service account's follower gets at most 4. */
  massByMonth: Map<string, number>;
  /** Refuses template messages (`failed:user block`). */
  blocksTemplates?: boolean;
  /** When the follower last wrote to the account (epoch ms): customer-service answers for 48 h. */
  lastMessageAt?: number;
  /** Customer-service answers since that message: WeChat takes 5. */
  answers: number;
}

/** How long an administrator has to confirm a protected mass send. */
const CONFIRMATION_WINDOW_MS = 30 * 60_000;

export type FakeJobState = 'awaiting_confirmation' | 'sent' | 'refused' | 'timed_out' | 'failed';

export interface FakeJob {
  msgId: number;
  clientmsgid: string;
  createdAt: number;
  state: FakeJobState;
  /** For `failed`: the `err(num)` status WeChat will push. */
  failStatus?: string;
  openids: string[];
  total: number;
  filtered: number;
  sent: number;
  errors: number;
}

export interface FakeAccountOptions {
  appId: string;
  appSecret: string;
  accountType: 'subscription' | 'service';
  /** API mass-send protection: jobs wait for `confirm` / `refuse`, and fail after 30 min. */
  protection?: boolean;
  now?: () => Date;
}

export class FakeAccount {
  readonly followers = new Map<string, FakeFollower>();
  readonly tags = new Map<number, string>();
  readonly media = new Set<string>();
  readonly templates = new Set<string>();
  readonly jobs = new Map<number, FakeJob>();
  /** Tokens each endpoint issued, with their expiry (epoch ms). */
  readonly tokens = new Map<string, { endpoint: 'stable_token' | 'token'; expiresAt: number }>();
  readonly templateSends = new Map<string, number>();
  /** Customer-service messages (`message/custom/send`) WeChat took, in order. */
  readonly customSends: { touser: string; msgtype: string; content: string; at: number }[] = [];
  /** Successful sends to all followers or a tag, by day, for a subscription account's 1 a day. */
  readonly sendAllByDay = new Map<string, number>();
  nextMsgId = 1_000_000_001;
  nextTemplateMsgId = 200_000_001;
  protection: boolean;
  readonly now: () => Date;

  constructor(readonly options: FakeAccountOptions) {
    this.protection = options.protection ?? false;
    this.now = options.now ?? (() => new Date());
  }

  monthOf(at = this.now()): string {
    const cst = new Date(at.getTime() + 8 * 3600_000);
    return cst.toISOString().slice(0, 7);
  }

  dayOf(at = this.now()): string {
    return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  }

  addFollower(
    openid: string,
    extra: Partial<Omit<FakeFollower, 'openid' | 'massByMonth' | 'answers'>> = {},
  ): FakeFollower {
    const follower: FakeFollower = {
      openid,
      tagIds: extra.tagIds ?? [],
      subscribeTime: extra.subscribeTime ?? Math.floor(this.now().getTime() / 1000),
      massByMonth: new Map(),
      answers: 0,
      ...(extra.lastMessageAt === undefined ? {} : { lastMessageAt: extra.lastMessageAt }),
      ...(extra.unionid ? { unionid: extra.unionid } : {}),
      ...(extra.blocksTemplates ? { blocksTemplates: true } : {}),
    };
    this.followers.set(openid, follower);
    return follower;
  }

  /** Creates a job for `openids` and, unless it awaits confirmation, delivers it. */
  createJob(openids: string[], clientmsgid: string): FakeJob {
    const job: FakeJob = {
      msgId: this.nextMsgId++,
      clientmsgid,
      createdAt: this.now().getTime(),
      state: this.protection ? 'awaiting_confirmation' : 'sent',
      openids,
      total: openids.length,
      filtered: 0,
      sent: 0,
      errors: 0,
    };
    this.jobs.set(job.msgId, job);
    if (!this.protection) this.deliver(job);
    return job;
  }

  /** WeChat's filters, then the sends: non-followers are errors, the monthly 4 is filtered out. */
  deliver(job: FakeJob): void {
    const month = this.monthOf();
    let filtered = 0;
    let errors = 0;
    for (const openid of job.openids) {
      const follower = this.followers.get(openid);
      if (!follower) {
        errors++;
        continue;
      }
      const received = follower.massByMonth.get(month) ?? 0;
      if (this.options.accountType === 'service' && received >= 4) {
        filtered++;
        continue;
      }
      follower.massByMonth.set(month, received + 1);
    }
    job.state = 'sent';
    job.filtered = job.total - filtered;
    job.errors = errors;
    job.sent = job.filtered - errors;
  }

  /** An administrator confirms a protected job. */
  confirm(msgId: number): FakeJob {
    const job = this.pending(msgId);
    this.deliver(job);
    return job;
  }

  refuse(msgId: number): FakeJob {
    const job = this.pending(msgId);
    job.state = 'refused';
    return job;
  }

  /** Jobs nobody confirmed within 30 minutes fail, as WeChat fails them. */
  expireUnconfirmed(): FakeJob[] {
    const limit = this.now().getTime() - CONFIRMATION_WINDOW_MS;
    const expired = [...this.jobs.values()].filter(
      (j) => j.state === 'awaiting_confirmation' && j.createdAt <= limit,
    );
    for (const job of expired) job.state = 'timed_out';
    return expired;
  }

  /** A job past its 30 minutes is timed out whenever it is looked at, as WeChat's would be. */
  settle(job: FakeJob): FakeJob {
    if (
      job.state === 'awaiting_confirmation' &&
      job.createdAt + CONFIRMATION_WINDOW_MS <= this.now().getTime()
    )
      job.state = 'timed_out';
    return job;
  }

  /** A job waiting for its administrator; one whose 30 minutes are over can no longer be confirmed. */
  private pending(msgId: number): FakeJob {
    const job = this.jobs.get(msgId);
    if (job) this.settle(job);
    if (job?.state !== 'awaiting_confirmation') throw new Error(`job ${msgId} awaits no confirmation`);
    return job;
  }

  /** `Status` of `MASSSENDJOBFINISH`, or undefined while the job still waits. */
  statusOf(job: FakeJob): string | undefined {
    switch (this.settle(job).state) {
      case 'awaiting_confirmation':
        return undefined;
      case 'sent':
        return 'send success';
      case 'refused':
        return 'err(40001)';
      case 'timed_out':
        return 'err(40002)';
      case 'failed':
        return job.failStatus ?? 'send fail';
    }
  }
}
