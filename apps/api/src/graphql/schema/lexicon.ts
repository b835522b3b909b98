import {
  addLexiconTerms,
  createLexicon,
  deleteLexicon,
  type LexiconView,
  listLexicons,
  removeLexiconTerms,
} from '../../services/lexicons.js';
import { builder } from '../builder.js';
import { FindingLevelEnum } from './finding.js';

const Lexicon = builder.objectRef<LexiconView>('Lexicon').implement({
  description:
    "A workspace's own lexicon; its terms join the shipped ones at the next check, on every instance",
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    level: t.field({ type: FindingLevelEnum, resolve: (l) => l.level }),
    code: t.exposeString('code'),
    description: t.string({ nullable: true, resolve: (l) => l.description }),
    traditionalToSimplified: t.exposeBoolean('traditionalToSimplified'),
    terms: t.exposeStringList('terms'),
    allow: t.exposeStringList('allow', { description: 'Phrases whose hits are dropped' }),
  }),
});

const CreateLexiconInput = builder.inputType('CreateLexiconInput', {
  fields: (t) => ({
    name: t.string({ description: 'kebab-case, not a shipped lexicon name' }),
    level: t.field({ type: FindingLevelEnum }),
    code: t.string({ required: false, description: 'Finding code; default LEXICON_<NAME>' }),
    description: t.string({ required: false }),
    traditionalToSimplified: t.boolean({
      required: false,
      description: 'Match traditional spellings too; default true',
    }),
    terms: t.stringList({ required: false }),
    allow: t.stringList({ required: false }),
  }),
});

const TermKind = builder.enumType('LexiconTermKind', {
  values: { TERM: { value: 'term' as const }, ALLOW: { value: 'allow' as const } },
});

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

builder.queryField('lexicons', (t) =>
  t.field({ type: [Lexicon], resolve: (_root, _args, ctx) => listLexicons(ctx.deps, ctx.principal) }),
);

builder.mutationFields((t) => ({
  createLexicon: t.field({
    type: Lexicon,
    description: 'Approver or admin role',
    args: { input: t.arg({ type: CreateLexiconInput }) },
    resolve: (_root, { input }, ctx) => createLexicon(ctx.deps, ctx.principal, defined(input)),
  }),
  addLexiconTerms: t.field({
    type: Lexicon,
    description: 'Approver or admin role',
    args: { id: t.arg.id(), terms: t.arg.stringList(), kind: t.arg({ type: TermKind, required: false }) },
    resolve: (_root, args, ctx) =>
      addLexiconTerms(
        ctx.deps,
        ctx.principal,
        String(args.id),
        defined({ terms: args.terms, kind: args.kind }),
      ),
  }),
  removeLexiconTerms: t.field({
    type: Lexicon,
    description: 'Approver or admin role',
    args: { id: t.arg.id(), terms: t.arg.stringList(), kind: t.arg({ type: TermKind, required: false }) },
    resolve: (_root, args, ctx) =>
      removeLexiconTerms(
        ctx.deps,
        ctx.principal,
        String(args.id),
        defined({ terms: args.terms, kind: args.kind }),
      ),
  }),
  deleteLexicon: t.field({
    type: 'Boolean',
    description: 'Approver or admin role',
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => deleteLexicon(ctx.deps, ctx.principal, String(id)),
  }),
}));
