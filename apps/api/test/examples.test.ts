import { fileURLToPath } from 'node:url';
import { silentLogger } from '@qunfa/core';
import { type FakeRobot, startFakeRobot } from '@qunfa-examples/dingtalk-robot/fake-robot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { createApiKey } from '../src/auth/api-keys.js';
import { workspaces } from '../src/db/schema/index.js';
import { gqlOk } from './support/graphql-client.js';

const exampleConfig = fileURLToPath(new URL('../../../examples/qunfa.config.json', import.meta.url));
const SECRET = 'SECexample0123456789';

describe('the examples/ plugins, loaded by examples/qunfa.config.json, run a campaign end to end', () => {
  let robot: FakeRobot;
  let app: App;
  let url = '';
  let key = '';

  beforeAll(async () => {
    robot = await startFakeRobot({ accessToken: 'group-token', secret: SECRET });
    process.env.DINGTALK_WEBHOOK = robot.webhookUrl;
    process.env.DINGTALK_SECRET = SECRET;
    app = await buildApp(
      {
        databaseUrl: undefined,
        dataDir: 'memory://',
        port: 0,
        host: '127.0.0.1',
        worker: 'inline',
        workerConcurrency: 2,
        seedDemo: false,
        logLevel: 'silent',
        tickIntervalMs: 50,
        quietHours: 'off',
        pluginConfig: exampleConfig,
      },
      { logger: silentLogger },
    );
    url = await app.start();
    const [ws] = await app.deps.db.insert(workspaces).values({ name: 'examples' }).returning();
    key = (await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'ops', role: 'operator' })).key;
  });
  afterAll(async () => {
    await app?.stop();
    await robot?.stop();
    delete process.env.DINGTALK_WEBHOOK;
    delete process.env.DINGTALK_SECRET;
  });

  it('keeps the built-ins and adds both plugins; the custom rule judges drafts', async () => {
    const names = [...app.deps.registry.channels, ...app.deps.registry.rules].map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'channel:sandbox',
        'channel:dingtalk-robot',
        'rule:opt-out-notice',
        'rule:quiet-hours',
      ]),
    );
    const { checkContent } = await gqlOk<{ checkContent: { code: string }[] }>(
      url,
      key,
      'query($t: String!) { checkContent(text: $t, channels: ["channel:dingtalk-robot"]) { code } }',
      { t: '周末会员日' },
    );
    expect(checkContent.map((f) => f.code)).toContain('OPT_OUT_NOTICE_MISSING');
  });

  it('sends through the DingTalk robot, signed, @-mentioning each contact', async () => {
    await gqlOk(
      url,
      key,
      `mutation { createContacts(input: [
        { name: "张三", identities: [{ kind: PHONE, value: "+8613800000001" }] },
        { name: "李四", identities: [{ kind: PHONE, value: "+8613800000002" }] },
        { name: "no phone", identities: [{ kind: EMAIL, value: "x@example.com" }] }
      ]) { id } }`,
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      url,
      key,
      'mutation { createCampaign(input: { name: "周末", audience: { all: true }, variants: [{ key: "A", content: { text: "周末会员日 回复退订" } }], channelPlan: [{ channel: "channel:dingtalk-robot" }] }) { id } }',
    );
    await gqlOk(url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: createCampaign.id });
    await expect
      .poll(async () => (await app.deps.store.getCampaign(createCampaign.id))?.state, { timeout: 60_000 })
      .toBe('completed');
    const counters = await app.deps.store.counters(createCampaign.id);
    expect({ sent: counters.sent, suppressed: counters.suppressed }).toEqual({ sent: 2, suppressed: 1 });
    // The fake checked every signature; it accepted and refused nothing else.
    expect(robot.refused).toEqual([]);
    expect(robot.posted.flatMap((p) => p.at?.atMobiles ?? []).sort()).toEqual(['13800000001', '13800000002']);
    expect(robot.posted.every((p) => p.text?.content.startsWith('周末会员日 回复退订'))).toBe(true);
  });
});
