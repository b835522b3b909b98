import { keyAccesses } from '../../auth/roles.js';
import {
  type ApiKeyRow,
  issueApiKey,
  listApiKeys,
  revokeApiKey,
  scopeApiKey,
} from '../../services/tenancy/api-keys.js';
import {
  changeMemberRole,
  inviteMember,
  listMembers,
  type MemberRow,
} from '../../services/tenancy/members.js';
import {
  listPersistedOperations,
  type PersistedOperationRow,
  registerPersistedOperation,
} from '../../services/tenancy/persisted-operations.js';
import { createWorkspace, listWorkspaces, updateWorkspace } from '../../services/tenancy/workspaces.js';
import { builder } from '../builder.js';
import { checkRootFields } from '../root-fields.js';
import { RoleEnum, upper } from './enums.js';
import { Workspace } from './viewer.js';

const KeyAccessEnum = builder.enumType('KeyAccess', { values: upper(keyAccesses) });

const Member = builder.objectRef<MemberRow>('Member').implement({
  description: 'A person of the workspace; keys issued to them act with their role',
  fields: (t) => ({
    id: t.id({ resolve: (m) => String(m.id) }),
    name: t.exposeString('name'),
    email: t.string({ nullable: true, resolve: (m) => m.email }),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role as never }),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => m.createdAt }),
  }),
});

const ApiKey = builder.objectRef<ApiKeyRow>('ApiKey').implement({
  description: 'An API key; its secret is shown once, when issued, and stored only as a hash',
  fields: (t) => ({
    id: t.id({ resolve: (k) => String(k.id) }),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', {
      description: 'The first characters of the secret, to tell keys apart',
    }),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role as never }),
    access: t.field({ type: KeyAccessEnum, resolve: (k) => k.access as never }),
    operations: t.stringList({
      nullable: true,
      description: 'Root fields the key may call; null: all its role allows',
      resolve: (k) => k.operations,
    }),
    rateLimitPerMinute: t.int({ nullable: true, resolve: (k) => k.rateLimitPerMinute }),
    persistedOnly: t.boolean({
      description: 'Runs only documents of the persisted-operation allow-list, by hash',
      resolve: (k) => k.persistedOnly,
    }),
    memberId: t.id({ nullable: true, resolve: (k) => (k.userId == null ? null : String(k.userId)) }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.lastUsedAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.revokedAt }),
  }),
});

const IssuedApiKey = builder.objectRef<{ apiKey: ApiKeyRow; secret: string }>('IssuedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, resolve: (r) => r.apiKey }),
    secret: t.exposeString('secret', { description: 'The key itself: shown this once, never again' }),
  }),
});

const CreatedWorkspace = builder
  .objectRef<Awaited<ReturnType<typeof createWorkspace>>>('CreatedWorkspace')
  .implement({
    fields: (t) => ({
      workspace: t.field({ type: Workspace, resolve: (r) => r.workspace }),
      adminKey: t.exposeString('adminKey', {
        description: 'The first admin key: shown this once, never again',
      }),
    }),
  });

const CreateWorkspaceInput = builder.inputType('CreateWorkspaceInput', {
  fields: (t) => ({
    name: t.string(),
    timeZone: t.string({ required: false, description: 'IANA time zone. Default Asia/Shanghai' }),
    adminKeyName: t.string({ required: false }),
  }),
});
const UpdateWorkspaceInput = builder.inputType('UpdateWorkspaceInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    separationOfDuties: t.boolean({ required: false }),
    openPixel: t.boolean({
      required: false,
      description: 'E-mail of campaigns started from now on carries an open pixel; default off',
    }),
  }),
});
const InviteMemberInput = builder.inputType('InviteMemberInput', {
  fields: (t) => ({
    name: t.string(),
    email: t.string({ required: false }),
    role: t.field({ type: RoleEnum }),
  }),
});
const KeyScopeFields = {
  access: { type: KeyAccessEnum, description: 'READ_ONLY: queries and subscriptions only. Default FULL' },
  operations: { description: 'Root fields the key may call (`campaigns`, `createCampaign`); null: all' },
  rateLimitPerMinute: { description: "Requests a minute; null: the server's default" },
} as const;
const IssueApiKeyInput = builder.inputType('IssueApiKeyInput', {
  fields: (t) => ({
    name: t.string(),
    role: t.field({
      type: RoleEnum,
      required: false,
      description: "Required unless memberId is given (the member's role)",
    }),
    memberId: t.id({ required: false }),
    access: t.field({ type: KeyAccessEnum, required: false, description: KeyScopeFields.access.description }),
    operations: t.stringList({ required: false, description: KeyScopeFields.operations.description }),
    rateLimitPerMinute: t.int({
      required: false,
      description: KeyScopeFields.rateLimitPerMinute.description,
    }),
    persistedOnly: t.boolean({
      required: false,
      description: 'Only persisted operations, by hash. Default false',
    }),
  }),
});
const ScopeApiKeyInput = builder.inputType('ScopeApiKeyInput', {
  description: 'Omitted fields stay as they are; null lifts a limit',
  fields: (t) => ({
    access: t.field({ type: KeyAccessEnum, required: false, description: KeyScopeFields.access.description }),
    operations: t.stringList({ required: false, description: KeyScopeFields.operations.description }),
    rateLimitPerMinute: t.int({
      required: false,
      description: KeyScopeFields.rateLimitPerMinute.description,
    }),
    persistedOnly: t.boolean({
      required: false,
      description: 'Only persisted operations, by hash. Default false',
    }),
  }),
});

const PersistedOperation = builder.objectRef<PersistedOperationRow>('PersistedOperation').implement({
  description:
    'A document of the allow-list; persisted-only keys send its hash in extensions.persistedQuery.sha256Hash',
  fields: (t) => ({
    hash: t.exposeString('hash'),
    name: t.exposeString('name'),
    document: t.exposeString('document'),
    createdAt: t.field({ type: 'DateTime', resolve: (o) => o.createdAt }),
  }),
});

builder.queryFields((t) => ({
  persistedOperations: t.field({
    type: [PersistedOperation],
    description: 'Admin only: the workspace allow-list',
    resolve: (_r, _a, ctx) => listPersistedOperations(ctx.deps.db, ctx.principal),
  }),
  workspaces: t.field({
    type: [Workspace],
    description: 'Instance owner only: every workspace',
    resolve: (_r, _a, ctx) => listWorkspaces(ctx.deps.db, ctx.owner ?? null),
  }),
  members: t.field({
    type: [Member],
    description: 'Admin only',
    resolve: (_r, _a, ctx) => listMembers(ctx.deps.db, ctx.principal),
  }),
  apiKeys: t.field({
    type: [ApiKey],
    description: 'Admin only: every key of the workspace, revoked ones included; never a secret',
    resolve: (_r, _a, ctx) => listApiKeys(ctx.deps.db, ctx.principal),
  }),
}));

builder.mutationFields((t) => ({
  registerPersistedOperation: t.field({
    type: PersistedOperation,
    description: 'Admin: adds a document to the allow-list (registering it twice changes nothing)',
    args: { name: t.arg.string(), document: t.arg.string() },
    resolve: (_r, args, ctx) => registerPersistedOperation(ctx.deps.db, ctx.principal, args),
  }),
  createWorkspace: t.field({
    type: CreatedWorkspace,
    description: 'Instance owner only (QUNFA_OWNER_KEY): a workspace and its first admin key',
    args: { input: t.arg({ type: CreateWorkspaceInput }) },
    resolve: (_r, { input }, ctx) => createWorkspace(ctx.deps.db, ctx.owner ?? null, input),
  }),
  updateWorkspace: t.field({
    type: Workspace,
    description:
      'Admin: rename the workspace, or turn separation of duties or the e-mail open pixel on or off',
    args: { input: t.arg({ type: UpdateWorkspaceInput }) },
    resolve: (_r, { input }, ctx) => updateWorkspace(ctx.deps.db, ctx.principal, input),
  }),
  inviteMember: t.field({
    type: Member,
    args: { input: t.arg({ type: InviteMemberInput }) },
    resolve: (_r, { input }, ctx) => inviteMember(ctx.deps.db, ctx.principal, input),
  }),
  changeMemberRole: t.field({
    type: Member,
    description: "Admin: a member's new role, which their keys take too",
    args: { id: t.arg.id(), role: t.arg({ type: RoleEnum }) },
    resolve: (_r, args, ctx) => changeMemberRole(ctx.deps.db, ctx.principal, String(args.id), args.role),
  }),
  issueApiKey: t.field({
    type: IssuedApiKey,
    args: { input: t.arg({ type: IssueApiKeyInput }) },
    resolve: (_r, { input }, ctx, info) =>
      issueApiKey(
        ctx.deps.db,
        ctx.principal,
        { ...input, memberId: input.memberId == null ? null : String(input.memberId) },
        (names) => checkRootFields(info.schema, names),
      ),
  }),
  scopeApiKey: t.field({
    type: ApiKey,
    args: { id: t.arg.id(), input: t.arg({ type: ScopeApiKeyInput }) },
    resolve: (_r, args, ctx, info) =>
      scopeApiKey(ctx.deps.db, ctx.principal, String(args.id), args.input, (names) =>
        checkRootFields(info.schema, names),
      ),
  }),
  revokeApiKey: t.field({
    type: ApiKey,
    description: 'Admin: the key stops working at once; revoking twice changes nothing',
    args: { id: t.arg.id() },
    resolve: (_r, args, ctx) => revokeApiKey(ctx.deps.db, ctx.principal, String(args.id)),
  }),
}));
