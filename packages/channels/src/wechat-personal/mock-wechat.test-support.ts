import { PuppetMock, mock as puppetMock } from 'wechaty-puppet-mock';

const { Mocker } = puppetMock;
type Mocker = InstanceType<typeof Mocker>;

import type { PuppetFactory } from './puppet.js';

/** What one account sees: its friends and the groups it is (or was) in. */
export interface MockAccountWorld {
  friends: string[];
  /** Contacts known to the account that are not (or no longer) friends. */
  strangers?: string[];
  /** Groups by id (`…@chatroom`); `member: false` for a group the account has left. */
  groups?: { id: string; topic: string; members: string[]; member?: boolean }[];
  /** Log in at start, as a puppet resuming a session does; otherwise a QR code is awaited. Default false. */
  autoLogin?: boolean;
}

export interface MockSend {
  account: string;
  to: string;
  text: string;
}

/**
 * Personal WeChat accounts on `wechaty-puppet-mock`: each account gets a new Mocker and
 * PuppetMock whenever the channel starts it; every send is recorded; a test can make the
 * n-th send of an account throw (a risk signal) or scan and log in.
 */
export function mockWechat(worlds: Record<string, MockAccountWorld>) {
  const sends: MockSend[] = [];
  const latest = new Map<string, { puppet: PuppetMock; mocker: Mocker; self: string }>();
  const failures = new Map<string, { after: number; error: () => Error }>();
  const counts = new Map<string, number>();
  const factory: PuppetFactory = ({ id }) => {
    const world = worlds[id];
    if (!world) throw new Error(`no mock world for ${id}`);
    const mocker = new Mocker();
    const selfId = `wxid_self_${id}`;
    const self = mocker.createContact({ id: selfId, name: id, friend: false, phone: [] });
    for (const f of world.friends) mocker.createContact({ id: f, name: f, friend: true, phone: [] });
    for (const s of world.strangers ?? []) mocker.createContact({ id: s, name: s, friend: false, phone: [] });
    for (const g of world.groups ?? []) {
      mocker.createRoom({
        id: g.id,
        topic: g.topic,
        memberIdList: g.member === false ? g.members : [selfId, ...g.members],
      });
    }
    if (world.autoLogin) {
      mocker.use((m) => {
        m.login(self);
        return () => undefined;
      });
    }
    const puppet = new PuppetMock({ mocker });
    const send = puppet.messageSendText.bind(puppet);
    puppet.messageSendText = async (to: string, text: string) => {
      const n = counts.get(id) ?? 0;
      counts.set(id, n + 1);
      const failure = failures.get(id);
      if (failure && n >= failure.after) throw failure.error();
      await send(to, text);
      sends.push({ account: id, to, text });
    };
    latest.set(id, { puppet, mocker, self: selfId });
    return puppet;
  };
  const current = (id: string) => {
    const entry = latest.get(id);
    if (!entry) throw new Error(`${id} was never started`);
    return entry;
  };
  return {
    factory,
    sends,
    /** Shows a QR code (status 2 waiting, 3 scanned). */
    scan(id: string, qrcode: string, status = 2) {
      current(id).mocker.scan(qrcode, status);
    },
    /** Logs in, as if the QR code was confirmed on the phone. */
    confirm(id: string) {
      const { mocker, self } = current(id);
      mocker.login(mocker.ContactMock.load(self));
    },
    /** Shows a QR code, then logs in as if it was scanned and confirmed on the phone. */
    scanAndLogin(id: string, qrcode = `https://login.weixin.qq.com/l/${id}`) {
      const { mocker, self } = current(id);
      mocker.scan(qrcode, 2);
      mocker.scan(qrcode, 3);
      mocker.login(mocker.ContactMock.load(self));
    },
    /** From the account's n-th send on (0-based, counted across restarts), the puppet throws. */
    failFrom(id: string, after: number, error: () => Error) {
      failures.set(id, { after, error });
    },
    /** A friend (or group member) writes to the account. */
    say(id: string, from: string, text: string, groupId?: string) {
      const { mocker, self } = current(id);
      const talker = mocker.ContactMock.load(from);
      talker.say(text).to(groupId ? mocker.RoomMock.load(groupId) : mocker.ContactMock.load(self));
    },
    /** A friend deletes the account: its contact is no longer a friend. */
    async unfriend(id: string, friend: string): Promise<void> {
      const { mocker, puppet } = current(id);
      const payload = mocker.contactPayload(friend);
      mocker.contactPayload(friend, { ...payload, friend: false });
      // The puppet drops its cached payload on the `dirty` event it emits on the next turn.
      puppet.dirtyPayload(2 /* DirtyType.Contact */, friend);
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
    puppet: (id: string) => current(id).puppet,
  };
}

export type MockWechat = ReturnType<typeof mockWechat>;
