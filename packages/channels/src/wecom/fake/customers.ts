/** A task as the fake keeps it: its sender, customers, content, and each customer's result. */
export interface FakeTask {
  msgid: string;
  sender: string;
  chatType: 'single' | 'group';
  targets: string[];
  content: Record<string, unknown>;
  createdAt: Date;
  /** 0 not sent yet, 2 sent (get_groupmsg_task). */
  status: 0 | 2;
  sendTime?: Date;
  cancelled: boolean;
  reminders: Date[];
  /** Per customer (or group): 0 unsent, 1 sent, 2 not a friend, 3 already received another mass message. */
  results: Map<string, { status: 0 | 1 | 2 | 3; sendTime?: Date }>;
}

/** External contacts and their follow users, tasks, and how many mass messages each customer received a month. */
export class FakeCustomers {
  /** external_userid → userid → relation. */
  readonly follows = new Map<
    string,
    Map<string, { addedAt: Date; deleted?: 'by_staff' | 'by_customer'; remark?: string; tagIds?: string[] }>
  >();
  readonly tasks = new Map<string, FakeTask>();
  /** `<external_userid or chat_id>/<YYYY-MM>` → mass messages received. */
  readonly received = new Map<string, number>();
  /** external_userid → name and unionid (客户详情). */
  readonly profiles = new Map<string, { name: string; unionid?: string }>();
  /** Corp tag groups (企业客户标签). */
  readonly tagGroups: { group_id: string; group_name: string; tag: { id: string; name: string }[] }[] = [];

  constructor(private readonly now: () => Date) {}

  addCustomer(
    externalUserId: string,
    userid: string,
    addedAt: Date = this.now(),
    profile: { name: string; unionid?: string } = { name: `客户${externalUserId.slice(-4)}` },
  ) {
    if (!this.profiles.has(externalUserId)) this.profiles.set(externalUserId, profile);
    const map = this.follows.get(externalUserId) ?? new Map();
    map.set(userid, { addedAt });
    this.follows.set(externalUserId, map);
  }

  /** The follow user's remark and corp tags on the customer (follow_info.remark, tag_id). */
  setFollowInfo(externalUserId: string, userid: string, info: { remark?: string; tagIds?: string[] }) {
    const r = this.follows.get(externalUserId)?.get(userid);
    if (!r) throw new Error(`${userid} does not follow ${externalUserId}`);
    if (info.remark !== undefined) r.remark = info.remark;
    if (info.tagIds !== undefined) r.tagIds = [...info.tagIds];
  }

  /** Whether `userid` can send to `externalUserId` now. */
  isFriend(externalUserId: string, userid: string): boolean {
    const r = this.follows.get(externalUserId)?.get(userid);
    return r !== undefined && r.deleted === undefined;
  }

  /** The per-customer cap of the month (as many messages as the month has days, China time). */
  capOf(at: Date): number {
    const china = new Date(at.getTime() + 8 * 3600_000);
    return new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() + 1, 0)).getUTCDate();
  }

  private monthKey(external: string, at: Date) {
    return `${external}/${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7)}`;
  }

  receivedThisMonth(external: string): number {
    return this.received.get(this.monthKey(external, this.now())) ?? 0;
  }

  /** Sets how many mass messages a customer has received this month (to reach the cap in a test). */
  setReceivedThisMonth(external: string, count: number) {
    this.received.set(this.monthKey(external, this.now()), count);
  }

  /**
   * The sender confirms the task in the WeCom client: each customer (or group) gets it (1), or is
   * no longer a friend (2), or has reached the month's cap (3). A cancelled task cannot be confirmed.
   */
  confirm(msgid: string): FakeTask {
    const task = this.tasks.get(msgid);
    if (!task) throw new Error(`no task ${msgid}`);
    if (task.cancelled || task.status === 2) return task;
    const at = this.now();
    task.status = 2;
    task.sendTime = at;
    for (const target of task.targets) {
      // Each customer and each customer group has the same limit (创建企业群发: 每位客户/每个客户群).
      if (task.chatType === 'single' && !this.isFriend(target, task.sender))
        task.results.set(target, { status: 2, sendTime: at });
      else if (this.receivedThisMonth(target) >= this.capOf(at))
        task.results.set(target, { status: 3, sendTime: at });
      else {
        this.received.set(this.monthKey(target, at), this.receivedThisMonth(target) + 1);
        task.results.set(target, { status: 1, sendTime: at });
      }
    }
    return task;
  }

  /** Tasks of a sender (for a test: find the task to confirm). */
  tasksOf(sender: string): FakeTask[] {
    return [...this.tasks.values()].filter((t) => t.sender === sender);
  }
}
