/** A scalar a custom attribute is compared with. */
export type AttributeScalar = string | number | boolean;

/**
 * A predicate on one custom JSON attribute (`contact.attributes[key]`):
 * `eq` / `in` compare JSON scalars exactly (a string never equals a number), `exists` is true
 * when the key is present (even with a null value), and the range operators hold only when
 * the attribute is a JSON number.
 */
export type AttributePredicate =
  | { key: string; op: 'exists' }
  | { key: string; op: 'eq'; value: AttributeScalar }
  | { key: string; op: 'in'; values: AttributeScalar[] }
  | { key: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: number };

/** Region components; every one given must be equal, so `{ province }` is the whole province. */
export interface RegionPredicate {
  province?: string;
  city?: string;
  district?: string;
}

/**
 * Customer groups (WeCom 客户群, contacts of kind `group`): every group, or those of any of these
 * owners (the staff who send to them: a live "reachable through" relation) and whose name
 * contains the text. Combine with `tag` to select groups by tag.
 */
export interface GroupFilter {
  owners?: string[];
  nameContains?: string;
}

/**
 * Who receives a campaign: tags and attribute predicates combined with AND / OR / NOT.
 * `{ all: true }` is the whole workspace; `{ tagUnder }` is the tag or any tag nested under it;
 * `{ activeWithinDays: n }` holds when the contact was last active at most n days before the
 * moment the audience is evaluated (never-active contacts never match).
 * Groups (contacts of kind `group`) are targets of their own: an expression that says `{ groups }`
 * somewhere (`audienceAsksForGroups`) is a group audience and selects only groups — its other
 * leaves (`tag`, `not`, …) are read on groups, so `{ and: [{ groups: {} }, { tag }] }` is the
 * groups with that tag; any other expression is a person audience and selects only persons
 * (`{ all: true }` is every person).
 */
export type AudienceExpression =
  | { all: true }
  | { tag: string }
  | { tagUnder: string }
  | { region: RegionPredicate }
  | { device: string }
  | { activeWithinDays: number }
  | { attribute: AttributePredicate }
  | { groups: GroupFilter }
  | { and: AudienceExpression[] }
  | { or: AudienceExpression[] }
  | { not: AudienceExpression };

/** What an expression looks at in a contact; `Contact` fits. */
export interface AudienceSubject {
  /** `person` (the default) or `group`. */
  kind?: 'person' | 'group';
  name?: string | null;
  /** A group's owners: the accounts it is still reachable through. */
  owners?: readonly string[];
  tagIds: readonly string[] | ReadonlySet<string>;
  province?: string | null;
  city?: string | null;
  district?: string | null;
  device?: string | null;
  lastActiveAt?: Date | null;
  attributes?: Record<string, unknown>;
}

/** The world an expression is evaluated in. */
export interface AudienceContext {
  /** The moment `activeWithinDays` counts back from. */
  asOf: Date;
  /** The tag and every tag nested under it; default: the tag alone (no hierarchy known). */
  tagsUnder?(tagId: string): ReadonlySet<string>;
}

export const DAY_MS = 86_400_000;

function attributeMatches(p: AttributePredicate, attributes: Record<string, unknown>): boolean {
  if (!Object.hasOwn(attributes, p.key)) return false;
  const v = attributes[p.key];
  switch (p.op) {
    case 'exists':
      return true;
    case 'eq':
      return v === p.value;
    case 'in':
      return p.values.some((x) => x === v);
    default: {
      if (typeof v !== 'number') return false;
      if (p.op === 'gt') return v > p.value;
      if (p.op === 'gte') return v >= p.value;
      if (p.op === 'lt') return v < p.value;
      return v <= p.value;
    }
  }
}

const has = (tags: AudienceSubject['tagIds'], id: string) =>
  tags instanceof Set ? tags.has(id) : (tags as readonly string[]).includes(id);

/** Whether an expression mentions `{ groups }`: then it selects groups, and only groups. */
export function audienceAsksForGroups(e: AudienceExpression): boolean {
  if ('groups' in e) return true;
  if ('and' in e) return e.and.some(audienceAsksForGroups);
  if ('or' in e) return e.or.some(audienceAsksForGroups);
  if ('not' in e) return audienceAsksForGroups(e.not);
  return false;
}

/** Evaluates an expression against one contact: the reference semantics every store follows. */
export function matchesAudience(
  expression: AudienceExpression,
  subject: AudienceSubject,
  context: AudienceContext,
): boolean {
  // A person audience never picks a group, a group audience never a person — even through `not` or `or`.
  if ((subject.kind === 'group') !== audienceAsksForGroups(expression)) return false;
  return matchesNode(expression, subject, context);
}

function groupMatches(f: GroupFilter, subject: AudienceSubject): boolean {
  if (subject.kind !== 'group') return false;
  if (f.nameContains !== undefined && !(subject.name ?? '').includes(f.nameContains)) return false;
  if (f.owners === undefined) return true;
  return (subject.owners ?? []).some((o) => f.owners!.includes(o));
}

function matchesNode(
  expression: AudienceExpression,
  subject: AudienceSubject,
  context: AudienceContext,
): boolean {
  const e = expression;
  if ('all' in e) return true;
  if ('groups' in e) return groupMatches(e.groups, subject);
  if ('tag' in e) return has(subject.tagIds, e.tag);
  if ('tagUnder' in e) {
    const under = context.tagsUnder?.(e.tagUnder) ?? new Set([e.tagUnder]);
    return [...subject.tagIds].some((t) => under.has(t));
  }
  if ('region' in e) {
    const r = e.region;
    return (
      (r.province === undefined || subject.province === r.province) &&
      (r.city === undefined || subject.city === r.city) &&
      (r.district === undefined || subject.district === r.district)
    );
  }
  if ('device' in e) return subject.device === e.device;
  if ('activeWithinDays' in e) {
    const at = subject.lastActiveAt;
    return !!at && at.getTime() >= context.asOf.getTime() - e.activeWithinDays * DAY_MS;
  }
  if ('attribute' in e) return attributeMatches(e.attribute, subject.attributes ?? {});
  if ('and' in e) return e.and.every((x) => matchesNode(x, subject, context));
  if ('or' in e) return e.or.some((x) => matchesNode(x, subject, context));
  return !matchesNode(e.not, subject, context);
}

/** The tag ids an expression mentions (`tagUnder` parents included), to check they exist. */
export function audienceTagIds(expression: AudienceExpression): string[] {
  if ('tag' in expression) return [expression.tag];
  if ('tagUnder' in expression) return [expression.tagUnder];
  if ('and' in expression) return expression.and.flatMap(audienceTagIds);
  if ('or' in expression) return expression.or.flatMap(audienceTagIds);
  if ('not' in expression) return audienceTagIds(expression.not);
  return [];
}

/** Nesting depth: a leaf is 1. */
export function audienceDepth(e: AudienceExpression): number {
  if ('and' in e) return 1 + Math.max(0, ...e.and.map(audienceDepth));
  if ('or' in e) return 1 + Math.max(0, ...e.or.map(audienceDepth));
  if ('not' in e) return 1 + audienceDepth(e.not);
  return 1;
}

/** Index of every tag's descendants from `{ id, parentId }` rows: the `tagsUnder` of a context. */
export function tagHierarchy(
  tags: Iterable<{ id: string; parentId: string | null }>,
): (tagId: string) => ReadonlySet<string> {
  const children = new Map<string, string[]>();
  for (const t of tags) {
    if (t.parentId !== null) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t.id]);
  }
  return (tagId) => {
    const out = new Set<string>([tagId]);
    const stack = [tagId];
    while (stack.length > 0) {
      for (const child of children.get(stack.pop()!) ?? []) {
        if (!out.has(child)) {
          out.add(child);
          stack.push(child);
        }
      }
    }
    return out;
  };
}
