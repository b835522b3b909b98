import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey } from './auth/api-keys.js';
import type { Principal } from './auth/roles.js';
import { users, workspaces } from './db/schema/index.js';
import { createCampaign } from './services/campaign-edits.js';
import { createContacts } from './services/contacts.js';
import type { ServiceDeps } from './services/deps.js';
import { createTag } from './services/tags.js';

const DEMO_CONTACTS = 1000;
const regions = ['上海', '杭州', '南京', '苏州', '北京', '广州', '深圳', '成都'];
const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];

/** A small deterministic generator, so every fresh demo looks the same. */
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

export interface DemoSeed {
  apiKey: string;
  keyFile: string;
  /** An approver's key, for the tour's review step. */
  approverKey: string | undefined;
  approverKeyFile: string;
  created: boolean;
}

/** Where a tenth of the members live: quiet hours hold in each one's own time zone. */
const overseas = ['Europe/London', 'America/Los_Angeles'];

const readKey = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);

/**
 * Seeds a demo workspace — only when the database has no workspace yet — with an admin and an
 * approver key, tags, 1,000 contacts and two campaigns on the sandbox channel:
 *
 * 1. 会员开通通知, a service notice to the ~300 newcomers, small enough to start without review
 *    and with quiet hours off for itself (a warning says so): it sends at any hour.
 * 2. 双十一会员日预告, marketing to all 1,000 members: over 500 recipients, so it goes through
 *    review (the approver key approves it), and it keeps the workspace's quiet hours (22:00–08:00
 *    in each contact's time zone). A tenth of the members live in London or Los Angeles, so at any
 *    hour some of them wait for quiet hours to end, and the campaign says so (`waiting`).
 *
 * The keys are shown once and kept in DATA_DIR (mode 600) so later starts can print them again.
 */
export async function seedDemo(deps: ServiceDeps, dataDir: string): Promise<DemoSeed | undefined> {
  const keyFile = join(dataDir, 'demo-api-key');
  const approverKeyFile = join(dataDir, 'demo-approver-key');
  const existing = await deps.db.select({ id: workspaces.id }).from(workspaces).limit(1);
  if (existing.length > 0) {
    const apiKey = readKey(keyFile);
    return apiKey
      ? { apiKey, keyFile, approverKey: readKey(approverKeyFile), approverKeyFile, created: false }
      : undefined;
  }
  const [workspace] = await deps.db.insert(workspaces).values({ name: '演示工作区 Demo' }).returning();
  const keyFor = async (role: 'admin' | 'approver', name: string) => {
    const [user] = await deps.db.insert(users).values({ workspaceId: workspace!.id, name, role }).returning();
    const keyName = `demo ${role} key`;
    const key = await createApiKey(deps.db, {
      workspaceId: workspace!.id,
      userId: user!.id,
      name: keyName,
      role,
    });
    return {
      key,
      principal: { workspaceId: workspace!.id, role, keyId: key.id, keyName } satisfies Principal,
    };
  };
  const admin = await keyFor('admin', 'Demo admin');
  const approver = await keyFor('approver', 'Demo approver');
  const principal = admin.principal;

  const members = await createTag(deps, principal, { name: '会员 member' });
  const newcomers = await createTag(deps, principal, { name: '新客 newcomer' });
  const random = lcg(20261111);
  const now = Date.now();
  const contacts = Array.from({ length: DEMO_CONTACTS }, (_, i) => {
    const tagIds = [members!.id, ...(random() < 0.3 ? [newcomers!.id] : [])];
    const timeZone = i % 10 === 9 ? overseas[Math.floor(i / 10) % overseas.length] : undefined;
    return {
      name: `${surnames[i % surnames.length]}${String(i + 1).padStart(4, '0')}`,
      identities: [
        { kind: 'phone' as const, value: `+86138${String(10_000_000 + i).slice(-8)}` },
        ...(random() < 0.5 ? [{ kind: 'wxid' as const, value: `wxid_demo_${i + 1}` }] : []),
      ],
      region: regions[Math.floor(random() * regions.length)]!,
      lastActiveAt: random() < 0.9 ? new Date(now - Math.floor(random() * 60) * 86_400_000) : null,
      attributes: { level: random() < 0.2 ? 'gold' : 'silver', ...(timeZone ? { timeZone } : {}) },
      tagIds,
    };
  });
  await createContacts(deps, principal, contacts);
  // Paced so the progress is visible, with demo-short retries so it ends within a minute
  // (the production default waits 2 h after a network failure).
  const pacing = {
    channelPlan: [{ channel: 'channel:sandbox', batchSize: 30 }],
    batchIntervalMs: 1500,
    retryPolicy: {
      networkRetryDelayMs: 5000,
      unknownRetryDelayMs: 5000,
      rateLimitedDelayMs: 2000,
      accountCooldownMs: 5000,
    },
  };
  await createCampaign(deps, principal, {
    name: '会员开通通知 Demo',
    audience: { tag: newcomers!.id },
    // A service notice about the member's own account: not marketing, so not held for the night.
    quietHours: { mode: 'off' },
    variants: [
      {
        key: 'A',
        weight: 1,
        content: {
          type: 'text',
          text: '{{name}}您好，您的会员账户已开通，积分与权益可在会员中心查看。回复 TD 退订。',
        },
      },
    ],
    ...pacing,
  });
  await createCampaign(deps, principal, {
    name: '双十一会员日预告 Demo',
    audience: { tag: members!.id },
    variants: [
      {
        key: 'A',
        weight: 1,
        content: { type: 'text', text: '{{name}}您好，会员日活动 11 月 11 日开启，回复 TD 退订。' },
      },
      {
        key: 'B',
        weight: 1,
        content: { type: 'text', text: '{{name}}，您的会员专享价已准备好，11 月 11 日见。回复 TD 退订。' },
      },
    ],
    ...pacing,
    channelPlan: [{ channel: 'channel:sandbox', batchSize: 100 }],
  });
  mkdirSync(dataDir, { recursive: true });
  for (const [file, key] of [
    [keyFile, admin.key.key],
    [approverKeyFile, approver.key.key],
  ] as const) {
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { apiKey: admin.key.key, keyFile, approverKey: approver.key.key, approverKeyFile, created: true };
}
