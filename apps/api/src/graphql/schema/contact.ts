import type { Contact as ContactShape } from '@qunfa/core';
import { setTag } from '../../services/contact-tagging.js';
import {
  createContacts,
  getContact,
  listContacts,
  MAX_CONTACTS_PER_CALL,
  updateContact,
} from '../../services/contacts.js';
import { eraseContact, recordOptIn } from '../../services/erasure.js';
import { mergeContacts } from '../../services/merge-contacts.js';
import { listTags } from '../../services/tags.js';
import { builder } from '../builder.js';
import { connectionOf } from './connection.js';
import { ContactKindEnum, IdentityKindEnum } from './enums.js';
import { Tag } from './tag.js';

const Identity = builder.objectRef<{ kind: string; value: string }>('Identity').implement({
  fields: (t) => ({
    kind: t.field({ type: IdentityKindEnum, resolve: (i) => i.kind as never }),
    value: t.exposeString('value'),
  }),
});

export const Contact = builder.objectRef<ContactShape>('Contact').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({
      type: ContactKindEnum,
      deprecationReason:
        'Always PERSON: customer groups are no longer Contacts — list them with customerGroups, read one with customerGroup',
      resolve: (c) => c.kind ?? 'person',
    }),
    name: t.exposeString('name', { nullable: true }),
    identities: t.field({ type: [Identity], resolve: (c) => c.identities }),
    attributes: t.field({ type: 'JSON', resolve: (c) => c.attributes }),
    region: t.exposeString('region', { nullable: true, description: 'Free-text region as entered' }),
    province: t.string({ nullable: true, resolve: (c) => c.province ?? null }),
    city: t.string({ nullable: true, resolve: (c) => c.city ?? null }),
    district: t.string({ nullable: true, resolve: (c) => c.district ?? null }),
    device: t.string({ nullable: true, resolve: (c) => c.device ?? null }),
    lastActiveAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.lastActiveAt }),
    tags: t.field({
      type: [Tag],
      resolve: async (c, _args, ctx) => {
        const all = await listTags(ctx.deps, ctx.principal);
        return all.filter((tag) => c.tagIds.includes(tag.id));
      },
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
  }),
});

const ContactConnection = connectionOf('Contact', Contact);

const IdentityInput = builder.inputType('IdentityInput', {
  fields: (t) => ({ kind: t.field({ type: IdentityKindEnum }), value: t.string() }),
});

const CreateContactInput = builder.inputType('CreateContactInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    identities: t.field({ type: [IdentityInput], required: false }),
    attributes: t.field({ type: 'JSON', required: false }),
    region: t.string({ required: false }),
    province: t.string({ required: false }),
    city: t.string({ required: false }),
    district: t.string({ required: false }),
    device: t.string({ required: false, description: 'ios, android, harmonyos, windows, macos or other' }),
    lastActiveAt: t.field({ type: 'DateTime', required: false }),
    tagIds: t.idList({ required: false }),
  }),
});

const UpdateContactInput = builder.inputType('UpdateContactInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    identities: t.field({ type: [IdentityInput], required: false, description: 'Replaces all identities' }),
    attributes: t.field({ type: 'JSON', required: false, description: 'Replaces all attributes' }),
    region: t.string({ required: false }),
    province: t.string({ required: false }),
    city: t.string({ required: false }),
    district: t.string({ required: false }),
    device: t.string({ required: false }),
    lastActiveAt: t.field({ type: 'DateTime', required: false }),
  }),
});

/** GraphQL gives absent optional fields as undefined and explicit nulls as null; services keep both. */
const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

builder.queryFields((t) => ({
  contact: t.field({
    type: Contact,
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => getContact(ctx.deps, ctx.principal, String(id)),
  }),
  contacts: t.field({
    type: ContactConnection,
    args: {
      first: t.arg.int({ required: false, defaultValue: 50 }),
      after: t.arg.string({ required: false }),
      tagId: t.arg.id({ required: false, description: 'Only contacts with this tag' }),
      search: t.arg.string({
        required: false,
        description:
          'A name containing it, an identity equal to it (phone, e-mail, WeChat / WeCom / OA id), or a phone or e-mail starting with it (a mainland number without +86); at most 100 characters',
      }),
    },
    resolve: (_root, args, ctx) =>
      listContacts(ctx.deps, ctx.principal, {
        first: args.first ?? 50,
        after: args.after,
        search: args.search,
        tagId: args.tagId === null || args.tagId === undefined ? null : String(args.tagId),
      }),
  }),
}));

builder.mutationFields((t) => ({
  createContact: t.field({
    type: Contact,
    args: { input: t.arg({ type: CreateContactInput }) },
    resolve: async (_root, { input }, ctx) =>
      (await createContacts(ctx.deps, ctx.principal, [defined(input)]))[0]!,
  }),
  createContacts: t.field({
    type: [Contact],
    description: `Creates up to ${MAX_CONTACTS_PER_CALL} contacts in one transaction: all or none.`,
    args: { input: t.arg({ type: [CreateContactInput] }) },
    resolve: (_root, { input }, ctx) => createContacts(ctx.deps, ctx.principal, input.map(defined)),
  }),
  updateContact: t.field({
    type: Contact,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateContactInput }) },
    resolve: (_root, { id, input }, ctx) =>
      updateContact(ctx.deps, ctx.principal, String(id), defined(input)),
  }),
  tagContacts: t.int({
    description: 'Adds a tag to contacts; returns how many were not tagged before.',
    args: { tagId: t.arg.id(), contactIds: t.arg.idList() },
    resolve: (_root, args, ctx) =>
      setTag(ctx.deps, ctx.principal, {
        tagId: String(args.tagId),
        contactIds: args.contactIds.map(String),
        tagged: true,
      }),
  }),
  untagContacts: t.int({
    description: 'Removes a tag from contacts (persons); returns how many had it.',
    args: { tagId: t.arg.id(), contactIds: t.arg.idList() },
    resolve: (_root, args, ctx) =>
      setTag(ctx.deps, ctx.principal, {
        tagId: String(args.tagId),
        contactIds: args.contactIds.map(String),
        tagged: false,
      }),
  }),
}));

const ErasedContact = builder.objectRef<{ id: string; erasedAt: Date }>('ErasedContact').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    erasedAt: t.field({ type: 'DateTime', resolve: (e) => e.erasedAt }),
  }),
});

builder.mutationFields((t) => ({
  eraseContact: t.field({
    type: ErasedContact,
    description:
      'Erases a person (admin): personal data goes, anonymous counts stay; a keyed hash of each identity ' +
      'keeps them suppressed if they are added again, until a new opt-in.',
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => eraseContact(ctx.deps, ctx.principal, String(id)),
  }),
  recordOptIn: t.boolean({
    description: 'A new opt-in: lifts the erased suppression of a contact added again after an erasure.',
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => recordOptIn(ctx.deps, ctx.principal, String(id)),
  }),
  mergeContacts: t.field({
    type: Contact,
    description: 'Folds contacts (e.g. sharing a unionid or phone) into one, with an audit entry.',
    args: { into: t.arg.id(), from: t.arg.idList() },
    resolve: (_root, args, ctx) =>
      mergeContacts(ctx.deps, ctx.principal, { into: String(args.into), from: args.from.map(String) }),
  }),
}));
