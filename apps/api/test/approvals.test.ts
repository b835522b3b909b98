import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { compliancePlugins, createCampaign, createContacts, createTag } from './support/compliance-app.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { waitForCompletion } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { state
  findings { key level code message span { start end } override { reason } }
  review { round status reasons steps { name status comment } } } }`;
const SUBMIT = 'mutation($id: ID!) { submitCampaignForReview(id: $id) { state } }';
const APPROVE = 'mutation($id: ID!, $c: String) { approveCampaign(id: $id, comment: $c) { state } }';
const REJECT = 'mutation($id: ID!, $c: String!) { rejectCampaign(id: $id, comment: $c) { state } }';
const OVERRIDE =
  'mutation($id: ID!, $k: String!, $r: String!) { overrideFinding(campaignId: $id, findingKey: $k, reason: $r) { key override { reason } } }';
const START = 'mutation($id: ID!) { startCampaign(id: $id) { state } }';
const POLICY = 'mutation($input: ApprovalPolicyInput!) { createApprovalPolicy(input: $input) { id steps } }';

interface CampaignView {
  state: string;
  findings: {
    key: string;
    level: string;
    code: string;
    span: unknown;
    override: { reason: string } | null;
  }[];
  review: {
    round: number;
    status: string;
    reasons: string[];
    steps: { name: string; status: string }[];
  } | null;
}

describe('approvals (PostgreSQL)', () => {
  let t: TestApp;
  let tag: string;

  const view = async (id: string) =>
    (await gqlOk<{ campaign: CampaignView }>(t.url, t.a.keys.viewer, CAMPAIGN, { id })).campaign;
  /** A call the role may not make: FORBIDDEN, and no table changed. */
  const forbidden = async (key: string, query: string, variables: Record<string, unknown>) => {
    const before = await rowCounts(t.app.deps.db);
    expect(codesOf(await gql(t.url, key, query, variables))).toEqual(['FORBIDDEN']);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
  };
  const refused = async (code: string, key: string, query: string, variables: Record<string, unknown>) => {
    const res = await gql(t.url, key, query, variables);
    expect(codesOf(res)).toEqual([code]);
    return res;
  };

  beforeAll(async () => {
    t = await startTestApp('postgres', {}, compliancePlugins({ max: 10, windowDays: 30 }));
    tag = await createTag(t.url, t.a.keys.operator, 'vip');
    await createContacts(
      t.url,
      t.a.keys.operator,
      [1, 2, 3].map((i) => ({ identities: [{ kind: 'EMAIL', value: `a${i}@example.com` }], tagIds: [tag] })),
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs business → legal review with overrides, refusing the wrong role at every step', async () => {
    const policy = { name: 'vip', audienceOver: 2, steps: ['business', 'legal'] };
    await forbidden(t.a.keys.operator, POLICY, { input: policy });
    await forbidden(t.a.keys.approver, POLICY, { input: policy });
    for (const bad of [
      { name: 'no condition', steps: ['business'] },
      { name: 'repeated', audienceOver: 1, steps: ['legal', 'legal'] },
      { name: 'no steps', audienceOver: 1, steps: [] },
    ]) {
      const before = await rowCounts(t.app.deps.db);
      await refused('INVALID_INPUT', t.a.keys.admin, POLICY, { input: bad });
      expect(await rowCounts(t.app.deps.db)).toEqual(before);
    }
    await gqlOk(t.url, t.a.keys.admin, POLICY, { input: policy });

    const client = wsClient(t.url, t.a.keys.viewer);
    type QueueEvent = { reviewQueue: { id: string; state: string }[] };
    const queue = collect<QueueEvent>(client, 'subscription { reviewQueue { id state } }', {}, (e) =>
      e.reviewQueue.some((c) => c.state === 'IN_REVIEW'),
    );
    await expect.poll(() => queue.events.length, { timeout: 10_000 }).toBeGreaterThan(0);

    const id = await createCampaign(t.url, t.a.keys.operator, {
      tag,
      text: '会员专享全网最低价',
      channel: 'channel:sandbox-email',
    });
    const early = await refused('APPROVAL_REQUIRED', t.a.keys.operator, START, { id });
    expect(early.errors?.[0]?.extensions?.details?.reasons).toEqual(['vip: audience 3 > 2']);

    await forbidden(t.a.keys.viewer, SUBMIT, { id });
    await gqlOk(t.url, t.a.keys.operator, SUBMIT, { id });
    await queue.done;
    expect(queue.events.at(-1)!.reviewQueue).toEqual([{ id, state: 'IN_REVIEW' }]);
    client.dispose();

    let c = await view(id);
    expect(c.state).toBe('IN_REVIEW');
    expect(c.review).toMatchObject({
      round: 1,
      status: 'in_review',
      steps: [
        { name: 'business', status: 'pending' },
        { name: 'legal', status: 'pending' },
      ],
    });
    const revise = c.findings.filter((f) => f.level === 'REVISE');
    expect(revise.map((f) => [f.code, f.span])).toEqual([
      ['AD_LAW_ABSOLUTE_TERM', { start: 4, end: 8 }],
      ['AD_LAW_ABSOLUTE_TERM', { start: 6, end: 9 }],
    ]);

    await forbidden(t.a.keys.operator, APPROVE, { id, c: 'ok' });
    await gqlOk(t.url, t.a.keys.approver, APPROVE, { id, c: 'business ok' });
    // The last step waits for the revise finding; one approver decides one step.
    await refused('CONFLICT', t.a.keys.admin, APPROVE, { id, c: 'legal ok' });
    await refused('CONFLICT', t.a.keys.approver, APPROVE, { id });
    const key = revise[0]!.key;
    await forbidden(t.a.keys.operator, OVERRIDE, { id, k: key, r: 'a real price comparison' });
    await refused('INVALID_INPUT', t.a.keys.approver, OVERRIDE, { id, k: key, r: '  ' });
    for (const f of revise) {
      await gqlOk(t.url, t.a.keys.approver, OVERRIDE, { id, k: f.key, r: 'a real price comparison' });
    }
    await refused('CONFLICT', t.a.keys.approver, OVERRIDE, { id, k: key, r: 'again' });
    await gqlOk(t.url, t.a.keys.admin, APPROVE, { id, c: 'legal ok' });
    c = await view(id);
    expect(c.state).toBe('APPROVED');
    expect(c.review?.steps.map((s) => s.status)).toEqual(['approved', 'approved']);
    expect(
      (
        await gqlOk<{ campaign: { review: { lastApproved: { round: number } | null } } }>(
          t.url,
          t.a.keys.viewer,
          'query($id: ID!) { campaign(id: $id) { review { lastApproved { round } } } }',
          { id },
        )
      ).campaign.review.lastApproved,
    ).toEqual({ round: 1 });

    // An edit after approval sends it back to review, in a new round.
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($id: ID!) { updateCampaign(id: $id, input: { variants: [{ key: "A", content: { text: "会员日见" } }], channelMode: ALL }) { state } }',
      { id },
    );
    c = await view(id);
    expect(c.state).toBe('IN_REVIEW');
    expect(c.review).toMatchObject({ round: 2, status: 'in_review' });
    // Round 2 is reviewed beside what round 1 approved.
    const LAST_APPROVED = `query($id: ID!) { campaign(id: $id) { channelMode variants { key content { text } }
      review { lastApproved { round name audience excludeDormant variants { key content { text } }
        channelPlan { channel } channelMode scheduledAt quietHours { mode } batchIntervalMs } } } }`;
    type Versions = {
      campaign: {
        channelMode: string;
        variants: unknown[];
        review: { lastApproved: { round: number; variants: unknown[]; channelPlan: unknown[] } | null };
      };
    };
    const versions = (await gqlOk<Versions>(t.url, t.a.keys.viewer, LAST_APPROVED, { id })).campaign;
    expect(versions.variants).toEqual([{ key: 'A', content: { text: '会员日见' } }]);
    // The approval covered the channel mode too: round 1 sent on the first channel that reaches.
    expect(versions.channelMode).toBe('ALL');
    expect(versions.review.lastApproved).toMatchObject({
      round: 1,
      variants: [{ key: 'A', content: { text: '会员专享全网最低价' } }],
      audience: { tag },
      channelPlan: [{ channel: 'channel:sandbox-email' }],
      channelMode: 'FIRST',
      scheduledAt: null,
    });
    expect(c.findings.filter((f) => f.level !== 'WARN')).toEqual([]);
    await refused('ILLEGAL_TRANSITION', t.a.keys.operator, START, { id });
    await gqlOk(t.url, t.a.keys.approver, APPROVE, { id });
    await gqlOk(t.url, t.a.keys.admin, APPROVE, { id });
    expect(
      (await gqlOk<{ startCampaign: { state: string } }>(t.url, t.a.keys.operator, START, { id }))
        .startCampaign.state,
    ).toMatch(/RUNNING|COMPLETED/);
    // Run it to its end here: its completion writes an audit row, which would land in a later test's
    // "no table changed" window (CI failed that way once).
    await waitForCompletion(t, id);

    const audit = await rows<{ action: string }>(
      t.app.deps.db,
      sql`SELECT action FROM audit_log WHERE subject_type = 'campaign' AND subject_id = ${id} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'campaign.review_requested',
        'campaign.review_step_approved',
        'finding.overridden',
        'campaign.review_reopened',
      ]),
    );
  });

  it('rejects with a comment back to draft; the wrong role and an empty comment are refused', async () => {
    const id = await createCampaign(t.url, t.a.keys.operator, {
      tag,
      text: '新品上市',
      channel: 'channel:sandbox-email',
    });
    await gqlOk(t.url, t.a.keys.operator, SUBMIT, { id });
    await forbidden(t.a.keys.operator, REJECT, { id, c: 'no' });
    await forbidden(t.a.keys.viewer, REJECT, { id, c: 'no' });
    const before = await rowCounts(t.app.deps.db);
    await refused('INVALID_INPUT', t.a.keys.approver, REJECT, { id, c: ' ' });
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    await gqlOk(t.url, t.a.keys.approver, REJECT, { id, c: '活动时间未定' });
    const c = await view(id);
    expect(c.state).toBe('DRAFT');
    expect(c.review).toMatchObject({
      status: 'rejected',
      steps: [
        { name: 'business', status: 'rejected', comment: '活动时间未定' },
        { name: 'legal', status: 'pending' },
      ],
    });
    // Another workspace cannot see or decide it.
    expect(codesOf(await gql(t.url, t.b.keys.approver, APPROVE, { id }))).toEqual(['CAMPAIGN_NOT_FOUND']);
  });

  it('never lets a block finding be overridden, even one a lexicon change added during review', async () => {
    const id = await createCampaign(t.url, t.a.keys.operator, {
      tag,
      text: '品牌甲新品上市',
      channel: 'channel:sandbox-email',
    });
    await gqlOk(t.url, t.a.keys.operator, SUBMIT, { id });
    await gqlOk(t.url, t.a.keys.approver, APPROVE, { id });
    await gqlOk(
      t.url,
      t.a.keys.approver,
      'mutation { createLexicon(input: { name: "banned-brands", level: BLOCK, terms: ["品牌甲"] }) { id } }',
    );
    await refused('COMPLIANCE_BLOCKED', t.a.keys.admin, APPROVE, { id });
    const block = (await view(id)).findings.find((f) => f.level === 'BLOCK')!;
    expect(block).toMatchObject({ code: 'LEXICON_BANNED_BRANDS', span: { start: 0, end: 3 } });
    const before = await rowCounts(t.app.deps.db);
    await refused('COMPLIANCE_BLOCKED', t.a.keys.admin, OVERRIDE, { id, k: block.key, r: 'we own it' });
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    expect((await view(id)).state).toBe('IN_REVIEW');
  });

  it('refuses to submit a campaign with a block finding, storing the finding with its span', async () => {
    const id = await createCampaign(t.url, t.a.keys.operator, {
      tag,
      text: '本品根治糖尿病',
      channel: 'channel:sandbox-email',
    });
    await refused('COMPLIANCE_BLOCKED', t.a.keys.operator, SUBMIT, { id });
    const c = await view(id);
    expect(c.state).toBe('DRAFT');
    expect(c.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'BLOCK', code: 'MEDICAL_CLAIM', span: { start: 2, end: 4 } }),
      ]),
    );
  });
});
