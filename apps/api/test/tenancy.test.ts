import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tenancyCommand } from '../src/cli/tenancy-command.js';
import type { AppConfig } from '../src/config.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const OWNER = 'owner-key-of-this-test-instance-0123456789';

const CREATE_WS =
  'mutation($name: String!) { createWorkspace(input: { name: $name }) { workspace { id name separationOfDuties } adminKey } }';
const ISSUE =
  'mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { secret apiKey { id name prefix role access operations memberId lastUsedAt } } }';
const INVITE = 'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id role } }';
const KEYS = '{ apiKeys { id name prefix role access operations lastUsedAt revokedAt } }';
const TAG = 'mutation($n: String!) { createTag(input: { name: $n }) { id } }';

interface Issued {
  issueApiKey: { secret: string; apiKey: { id: string; role: string; access: string; prefix: string } };
}

describe('workspaces, members and keys over GraphQL, and separation of duties', () => {
  let t: TestApp;
  let admin = '';
  const issue = async (input: Record<string, unknown>) =>
    (await gqlOk<Issued>(t.url, admin, ISSUE, { input })).issueApiKey;

  beforeAll(async () => {
    t = await startTestApp('pglite', { worker: 'off', ownerKey: OWNER });
  });
  afterAll(() => t?.stop());

  it('the owner key creates a workspace with its first admin key; nobody else can', async () => {
    const made = await gqlOk<{
      createWorkspace: { workspace: { name: string; separationOfDuties: boolean }; adminKey: string };
    }>(t.url, OWNER, CREATE_WS, { name: '上海分公司' });
    expect(made.createWorkspace.workspace).toEqual(
      expect.objectContaining({ name: '上海分公司', separationOfDuties: true }),
    );
    admin = made.createWorkspace.adminKey;
    expect(admin).toMatch(/^qf_/);
    for (const key of [admin, t.a.keys.admin]) {
      expect(codesOf(await gql(t.url, key, CREATE_WS, { name: 'x' }))).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await gql(t.url, undefined, CREATE_WS, { name: 'x' }))).toEqual(['FORBIDDEN']);
    const { workspaces } = await gqlOk<{ workspaces: { name: string }[] }>(
      t.url,
      OWNER,
      '{ workspaces { name } }',
    );
    expect(workspaces.map((w) => w.name)).toContain('上海分公司');
    // The owner is no member: it reads no workspace's data.
    expect(codesOf(await gql(t.url, OWNER, '{ viewer { role } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('an admin renames the workspace, invites members, changes roles; other roles are refused', async () => {
    const renamed = await gqlOk<{ updateWorkspace: { name: string } }>(
      t.url,
      admin,
      'mutation { updateWorkspace(input: { name: "华东" }) { name } }',
    );
    expect(renamed.updateWorkspace.name).toBe('华东');
    const { inviteMember } = await gqlOk<{ inviteMember: { id: string; role: string } }>(
      t.url,
      admin,
      INVITE,
      {
        input: { name: '王芳', email: 'wang@example.com', role: 'OPERATOR' },
      },
    );
    expect(inviteMember.role).toBe('OPERATOR');
    const wang = await issue({ name: 'wang laptop', memberId: inviteMember.id });
    expect(wang.apiKey.role).toBe('OPERATOR');
    await gqlOk(t.url, wang.secret, TAG, { n: 'vip' });
    for (const [key, op] of [
      [wang.secret, 'mutation { updateWorkspace(input: { name: "x" }) { name } }'],
      [wang.secret, KEYS],
      [t.a.keys.approver, KEYS],
      [t.a.keys.viewer, 'mutation { inviteMember(input: { name: "x", role: ADMIN }) { id } }'],
      [t.a.keys.operator, 'mutation { issueApiKey(input: { name: "x", role: ADMIN }) { secret } }'],
    ] as const) {
      expect(codesOf(await gql(t.url, key, op))).toEqual(['FORBIDDEN']);
    }
    await gqlOk(t.url, admin, 'mutation($id: ID!) { changeMemberRole(id: $id, role: VIEWER) { role } }', {
      id: inviteMember.id,
    });
    // The member's keys take the new role at once.
    expect(codesOf(await gql(t.url, wang.secret, TAG, { n: 'vip2' }))).toEqual(['FORBIDDEN']);
    expect(
      codesOf(await gql(t.url, admin, INVITE, { input: { name: 'x', email: 'bad', role: 'ADMIN' } })),
    ).toEqual(['INVALID_INPUT']);
  });

  it('keys: shown once, listed without secrets with their last use, revoked at once; other workspaces unseen', async () => {
    const issued = await issue({ name: 'crm sync', role: 'OPERATOR' });
    await gqlOk(t.url, issued.secret, '{ viewer { role } }');
    type KeyRow = {
      id: string;
      name: string;
      prefix: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
    };
    const keyRow = async () =>
      (await gqlOk<{ apiKeys: KeyRow[] }>(t.url, admin, KEYS)).apiKeys.find(
        (k) => k.id === issued.apiKey.id,
      )!;
    await expect.poll(async () => (await keyRow()).lastUsedAt, { timeout: 10_000 }).not.toBeNull();
    const listed = await gqlOk<{ apiKeys: KeyRow[] }>(t.url, admin, KEYS);
    expect(JSON.stringify(listed)).not.toContain(issued.secret);
    expect(issued.secret.startsWith(issued.apiKey.prefix)).toBe(true);
    const revoke = 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }';
    const { revokeApiKey } = await gqlOk<{ revokeApiKey: { revokedAt: string } }>(t.url, admin, revoke, {
      id: issued.apiKey.id,
    });
    expect(revokeApiKey.revokedAt).not.toBeNull();
    expect(codesOf(await gql(t.url, issued.secret, '{ viewer { role } }'))).toEqual(['UNAUTHENTICATED']);
    // Another workspace's admin neither sees nor revokes this one's keys.
    expect(codesOf(await gql(t.url, t.a.keys.admin, revoke, { id: issued.apiKey.id }))).toEqual([
      'NOT_FOUND',
    ]);
    const theirs = await gqlOk<{ apiKeys: KeyRow[] }>(t.url, t.a.keys.admin, KEYS);
    expect(theirs.apiKeys.map((k) => k.id)).not.toContain(issued.apiKey.id);
  });

  it('read-only and operation-scoped keys', async () => {
    const readOnly = await issue({ name: 'dashboard', role: 'ADMIN', access: 'READ_ONLY' });
    await gqlOk(t.url, readOnly.secret, '{ viewer { role } campaigns(first: 1) { edges { cursor } } }');
    expect(codesOf(await gql(t.url, readOnly.secret, TAG, { n: 'ro' }))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(t.url, readOnly.secret, KEYS))).toEqual(['FORBIDDEN']);

    const scoped = await issue({ name: 'tagger', role: 'OPERATOR', operations: ['createTag', 'viewer'] });
    await gqlOk(t.url, scoped.secret, TAG, { n: 'scoped' });
    await gqlOk(t.url, scoped.secret, '{ viewer { role } __typename }');
    const outside = await gql(
      t.url,
      scoped.secret,
      '{ viewer { role } campaigns(first: 1) { edges { cursor } } }',
    );
    expect(codesOf(outside)).toEqual(['FORBIDDEN']);
    expect(outside.data ?? null).toBeNull();
    expect(
      codesOf(
        await gql(t.url, admin, ISSUE, {
          input: { name: 'typo', role: 'VIEWER', operations: ['campaign_list'] },
        }),
      ),
    ).toEqual(['INVALID_INPUT']);
    const { scopeApiKey } = await gqlOk<{ scopeApiKey: { operations: string[] | null } }>(
      t.url,
      admin,
      'mutation($id: ID!) { scopeApiKey(id: $id, input: { operations: null }) { operations } }',
      { id: scoped.apiKey.id },
    );
    expect(scopeApiKey.operations).toBeNull();
    await gqlOk(t.url, scoped.secret, '{ campaigns(first: 1) { edges { cursor } } }');
  });

  it('the author of a campaign may not approve it, by the same key or another of the same member', async () => {
    const { inviteMember: lead } = await gqlOk<{ inviteMember: { id: string } }>(t.url, admin, INVITE, {
      input: { name: '李雷', role: 'ADMIN' },
    });
    const desk = await issue({ name: 'lead desk', memberId: lead.id });
    const phone = await issue({ name: 'lead phone', memberId: lead.id });
    const other = await issue({ name: 'approver', role: 'APPROVER' });
    await gqlOk(
      t.url,
      desk.secret,
      'mutation { createContacts(input: [{ name: "a", identities: [{ kind: PHONE, value: "+8613800000001" }] }]) { id } }',
    );
    const draft = async () => {
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        desk.secret,
        'mutation { createCampaign(input: { name: "双十一", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }',
      );
      await gqlOk(t.url, desk.secret, 'mutation($id: ID!) { submitCampaignForReview(id: $id) { id } }', {
        id: createCampaign.id,
      });
      return createCampaign.id;
    };
    const APPROVE = 'mutation($id: ID!) { approveCampaign(id: $id) { state } }';
    const id = await draft();
    for (const key of [desk.secret, phone.secret]) {
      expect(codesOf(await gql(t.url, key, APPROVE, { id }))).toEqual(['SEPARATION_OF_DUTIES']);
    }
    const approved = await gqlOk<{ approveCampaign: { state: string } }>(t.url, other.secret, APPROVE, {
      id,
    });
    expect(approved.approveCampaign.state).toBe('APPROVED');

    await gqlOk(t.url, admin, 'mutation { updateWorkspace(input: { separationOfDuties: false }) { name } }');
    const second = await draft();
    await gqlOk(t.url, desk.secret, APPROVE, { id: second });
  });

  it('keeps the author from the steps a policy marks separated, and only those', async () => {
    await gqlOk(t.url, admin, 'mutation { updateWorkspace(input: { separationOfDuties: true }) { name } }');
    const POLICY =
      'mutation($input: ApprovalPolicyInput!) { createApprovalPolicy(input: $input) { id steps separatedSteps } }';
    const refused = await gql(t.url, admin, POLICY, {
      input: { name: 'bad', audienceOver: 0, steps: ['business'], separatedSteps: ['legal'] },
    });
    expect(codesOf(refused)).toEqual(['INVALID_INPUT']);
    expect(refused.errors?.[0]?.extensions?.details).toMatchObject({ field: 'separatedSteps' });
    const { createApprovalPolicy } = await gqlOk<{ createApprovalPolicy: { separatedSteps: string[] } }>(
      t.url,
      admin,
      POLICY,
      {
        input: {
          name: 'two steps',
          audienceOver: 0,
          steps: ['business', 'legal'],
          separatedSteps: ['legal'],
        },
      },
    );
    expect(createApprovalPolicy.separatedSteps).toEqual(['legal']);
    const { inviteMember: author } = await gqlOk<{ inviteMember: { id: string } }>(t.url, admin, INVITE, {
      input: { name: '韩梅梅', role: 'ADMIN' },
    });
    const desk = await issue({ name: 'author desk', memberId: author.id });
    const phone = await issue({ name: 'author phone', memberId: author.id });
    const legal = await issue({ name: 'legal', role: 'APPROVER' });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      desk.secret,
      'mutation { createCampaign(input: { name: "年货节", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }',
    );
    const id = createCampaign.id;
    const { submitCampaignForReview } = await gqlOk<{
      submitCampaignForReview: { review: { steps: { name: string; separated: boolean }[] } };
    }>(
      t.url,
      desk.secret,
      'mutation($id: ID!) { submitCampaignForReview(id: $id) { review { steps { name separated } } } }',
      {
        id,
      },
    );
    expect(submitCampaignForReview.review.steps).toEqual([
      { name: 'business', separated: false },
      { name: 'legal', separated: true },
    ]);
    const APPROVE = 'mutation($id: ID!) { approveCampaign(id: $id) { state } }';
    // The unmarked step: its author may decide it.
    expect(
      (await gqlOk<{ approveCampaign: { state: string } }>(t.url, desk.secret, APPROVE, { id }))
        .approveCampaign.state,
    ).toBe('IN_REVIEW');
    // The marked one: not by the author's other key either, and the refusal changes nothing.
    const bySameMember = await gql(t.url, phone.secret, APPROVE, { id });
    expect(codesOf(bySameMember)).toEqual(['SEPARATION_OF_DUTIES']);
    expect(bySameMember.errors?.[0]?.extensions?.details).toMatchObject({ step: 'legal' });
    const still = await gqlOk<{ campaign: { state: string; review: { steps: { status: string }[] } } }>(
      t.url,
      admin,
      'query($id: ID!) { campaign(id: $id) { state review { steps { status } } } }',
      { id },
    );
    expect(still.campaign).toEqual({
      state: 'IN_REVIEW',
      review: { steps: [{ status: 'approved' }, { status: 'pending' }] },
    });
    expect(
      (await gqlOk<{ approveCampaign: { state: string } }>(t.url, legal.secret, APPROVE, { id }))
        .approveCampaign.state,
    ).toBe('APPROVED');
  });
});

describe('the qunfa CLI does the same for scripts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { worker: 'off' });
  });
  afterAll(() => t?.stop());

  async function cli(noun: string, ...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await tenancyCommand(noun, args, t.app.config as AppConfig);
      return { code, out };
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  }

  it('bootstraps a workspace, issues a scoped key and revokes it', async () => {
    const made = await cli('workspace', 'create', '--name', 'cli ws');
    expect(made.code).toBe(0);
    const { workspace, adminKey } = JSON.parse(made.out) as { workspace: { id: number }; adminKey: string };
    await gqlOk(t.url, adminKey, '{ viewer { role } }');
    const ws = String(workspace.id);
    const key = await cli(
      'key',
      'issue',
      '--workspace',
      ws,
      '--name',
      'bi',
      '--role',
      'viewer',
      '--read-only',
      '--operation',
      'viewer',
    );
    expect(key.code).toBe(0);
    const issued = JSON.parse(key.out) as {
      id: number;
      secret: string;
      access: string;
      operations: string[];
    };
    expect(issued).toMatchObject({ access: 'read_only', operations: ['viewer'] });
    await gqlOk(t.url, issued.secret, '{ viewer { role } }');
    expect(
      (await cli('key', 'issue', '--workspace', ws, '--name', 'x', '--role', 'viewer', '--operation', 'nope'))
        .code,
    ).toBe(1);
    expect((await cli('key', 'revoke', '--workspace', ws, '--id', String(issued.id))).code).toBe(0);
    expect(codesOf(await gql(t.url, issued.secret, '{ viewer { role } }'))).toEqual(['UNAUTHENTICATED']);
    expect((await cli('member', 'invite', '--workspace', ws, '--name', 'x', '--role', 'boss')).code).toBe(1);
    expect((await cli('key', 'frobnicate')).code).toBe(2);
  });
});
