import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey } from './auth/api-keys.js';
import type { Principal } from './auth/roles.js';
import { users, workspaces } from './db/schema/index.js';
import { createApprovalPolicy } from './services/approval-policies.js';
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
  created: boolean;
}

/**
 * Seeds a demo workspace with an admin key, tags, 1,000 contacts and a draft campaign on the
 * sandbox channel — only when the database has no workspace yet. The key is shown once and
 * kept in DATA_DIR/demo-api-key (mode 600) so later starts can print it again.
 */
export async function seedDemo(deps: ServiceDeps, dataDir: string): Promise<DemoSeed | undefined> {
  const keyFile = join(dataDir, 'demo-api-key');
  const existing = await deps.db.select({ id: workspaces.id }).from(workspaces).limit(1);
  if (existing.length > 0) {
    return existsSync(keyFile)
      ? { apiKey: readFileSync(keyFile, 'utf8').trim(), keyFile, created: false }
      : undefined;
  }
  const [workspace] = await deps.db.insert(workspaces).values({ name: '演示工作区 Demo' }).returning();
  const [admin] = await deps.db
    .insert(users)
    .values({ workspaceId: workspace!.id, name: 'Demo admin', role: 'admin' })
    .returning();
  const key = await createApiKey(deps.db, {
    workspaceId: workspace!.id,
    userId: admin!.id,
    name: 'demo admin key',
    role: 'admin',
  });
  const principal: Principal = {
    workspaceId: workspace!.id,
    role: 'admin',
    keyId: key.id,
    keyName: 'demo admin key',
  };

  // The console has no review screens yet: the demo reviews only what a revise finding or
  // 5,000+ recipients sends to review, so its 1,000-recipient campaign starts from the console.
  await createApprovalPolicy(deps, principal, {
    name: 'demo',
    audienceOver: 5000,
    onRevise: true,
    steps: ['business'],
  });
  const members = await createTag(deps, principal, { name: '会员 member' });
  const newcomers = await createTag(deps, principal, { name: '新客 newcomer' });
  const random = lcg(20261111);
  const now = Date.now();
  const contacts = Array.from({ length: DEMO_CONTACTS }, (_, i) => {
    const tagIds = [members!.id, ...(random() < 0.3 ? [newcomers!.id] : [])];
    return {
      name: `${surnames[i % surnames.length]}${String(i + 1).padStart(4, '0')}`,
      identities: [
        { kind: 'phone' as const, value: `+86138${String(10_000_000 + i).slice(-8)}` },
        ...(random() < 0.5 ? [{ kind: 'wxid' as const, value: `wxid_demo_${i + 1}` }] : []),
      ],
      region: regions[Math.floor(random() * regions.length)]!,
      lastActiveAt: random() < 0.9 ? new Date(now - Math.floor(random() * 60) * 86_400_000) : null,
      attributes: { level: random() < 0.2 ? 'gold' : 'silver' },
      tagIds,
    };
  });
  await createContacts(deps, principal, contacts);
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
    channelPlan: [{ channel: 'channel:sandbox', batchSize: 100 }],
    // Paced so the progress is visible, with demo-short retries so it ends within a minute
    // (the production default waits 2 h after a network failure).
    batchIntervalMs: 1500,
    retryPolicy: {
      networkRetryDelayMs: 5000,
      unknownRetryDelayMs: 5000,
      rateLimitedDelayMs: 2000,
      accountCooldownMs: 5000,
    },
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyFile, `${key.key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { apiKey: key.key, keyFile, created: true };
}
