/** The audience builder's model and the API's audience expression it stands for. */
export interface AttributeFilter {
  key: string;
  value: string;
}

export interface AudienceModel {
  /** Follow a saved segment instead of the rules below. */
  segmentId: string | null;
  /**
   * Who the campaign reaches: persons, or WeCom customer groups (客户群) — never both. Groups are
   * chosen by owner and name (`{groups}`) and by the tags below; the person-only filters do not apply.
   */
  targets: 'person' | 'group';
  /** Group owners (staff userids); empty: any owner. */
  groupOwners: string[];
  /** Text the group's name contains; empty: any name. */
  groupName: string;
  /** Tags a contact must have: all of them (`and`) or any (`or`). */
  include: string[];
  combine: 'and' | 'or';
  /** Tags a contact must not have (NOT). */
  exclude: string[];
  province: string;
  city: string;
  device: string;
  activeWithinDays: number | null;
  attributes: AttributeFilter[];
}

export const EMPTY_AUDIENCE: AudienceModel = {
  segmentId: null,
  targets: 'person',
  groupOwners: [],
  groupName: '',
  include: [],
  combine: 'or',
  exclude: [],
  province: '',
  city: '',
  device: '',
  activeWithinDays: null,
  attributes: [],
};

export type AudienceExpression = Record<string, unknown>;

/**
 * The expression the API plans with, e.g. `{and: [{or: [{tag: 1}, {tag: 2}]}, {not: {tag: 3}}]}`;
 * `{all: true}` when nothing narrows it. A segment is sent as `segmentId` instead.
 */
export function toAudienceExpression(m: AudienceModel): AudienceExpression {
  if (m.targets === 'group') return groupExpression(m);
  const parts: AudienceExpression[] = [];
  const tags = m.include.map((tag) => ({ tag }));
  if (tags.length === 1) parts.push(tags[0]!);
  if (tags.length > 1) parts.push({ [m.combine]: tags });
  const region: Record<string, string> = {};
  if (m.province.trim()) region.province = m.province.trim();
  if (m.city.trim()) region.city = m.city.trim();
  if (Object.keys(region).length > 0) parts.push({ region });
  if (m.device) parts.push({ device: m.device });
  if (m.activeWithinDays !== null && m.activeWithinDays > 0)
    parts.push({ activeWithinDays: m.activeWithinDays });
  for (const a of m.attributes) {
    if (a.key.trim()) parts.push({ attribute: { key: a.key.trim(), op: 'eq', value: a.value } });
  }
  const nots = m.exclude.map((tag) => ({ not: { tag } }));
  if (parts.length === 0 && nots.length === 0) return { all: true };
  if (parts.length === 0) parts.push({ all: true });
  const all = [...parts, ...nots];
  return all.length === 1 ? all[0]! : { and: all };
}

/** Tag leaves as the builder combines them: one tag, or `{or|and: [...]}`. */
function tagParts(m: AudienceModel): AudienceExpression[] {
  const tags = m.include.map((tag) => ({ tag }));
  if (tags.length === 0) return [];
  return tags.length === 1 ? [tags[0]!] : [{ [m.combine]: tags }];
}

/**
 * Customer groups: `{groups: {owners?, nameContains?}}` with the tags and NOT tags read on the
 * groups, e.g. `{and: [{groups: {owners: ["zhouba"]}}, {tag: "3"}]}`.
 */
function groupExpression(m: AudienceModel): AudienceExpression {
  const filter: Record<string, unknown> = {};
  const owners = m.groupOwners.map((o) => o.trim()).filter(Boolean);
  if (owners.length > 0) filter.owners = owners;
  if (m.groupName.trim()) filter.nameContains = m.groupName.trim();
  const all = [{ groups: filter }, ...tagParts(m), ...m.exclude.map((tag) => ({ not: { tag } }))];
  return all.length === 1 ? all[0]! : { and: all };
}

function asTag(e: unknown): string | null {
  if (typeof e === 'object' && e !== null && 'tag' in e) return String((e as { tag: unknown }).tag);
  return null;
}

/** Reads back an expression this builder wrote; null for any other (shown as it is, not editable here). */
export function fromAudienceExpression(expression: unknown): AudienceModel | null {
  if (typeof expression !== 'object' || expression === null) return null;
  const e = expression as Record<string, unknown>;
  const parts = Array.isArray(e.and) ? (e.and as unknown[]) : [e];
  const m: AudienceModel = { ...EMPTY_AUDIENCE, include: [], exclude: [], attributes: [] };
  for (const part of parts) {
    if (typeof part !== 'object' || part === null) return null;
    const p = part as Record<string, unknown>;
    const tag = asTag(p);
    if (tag !== null) m.include.push(tag);
    else if (p.all === true) continue;
    else if (p.groups && typeof p.groups === 'object' && m.targets === 'person') {
      const g = p.groups as { owners?: unknown; nameContains?: unknown };
      m.targets = 'group';
      m.groupOwners = Array.isArray(g.owners) ? g.owners.map(String) : [];
      m.groupName = typeof g.nameContains === 'string' ? g.nameContains : '';
    } else if (Array.isArray(p.or) || Array.isArray(p.and)) {
      const list = (p.or ?? p.and) as unknown[];
      const tags = list.map(asTag);
      if (tags.some((t) => t === null) || m.include.length > 0) return null;
      m.include = tags as string[];
      m.combine = Array.isArray(p.or) ? 'or' : 'and';
    } else if (p.not !== undefined) {
      const t = asTag(p.not);
      if (t === null) return null;
      m.exclude.push(t);
    } else if (p.region && typeof p.region === 'object') {
      const r = p.region as Record<string, string>;
      m.province = r.province ?? '';
      m.city = r.city ?? '';
    } else if (typeof p.device === 'string') m.device = p.device;
    else if (typeof p.activeWithinDays === 'number') m.activeWithinDays = p.activeWithinDays;
    else if (p.attribute && typeof p.attribute === 'object') {
      const a = p.attribute as Record<string, unknown>;
      if (a.op !== 'eq') return null;
      m.attributes.push({ key: String(a.key), value: String(a.value ?? '') });
    } else return null;
  }
  // A group audience the builder wrote has only groups, tags and NOT tags.
  if (
    m.targets === 'group' &&
    (m.province || m.city || m.device || m.activeWithinDays !== null || m.attributes.length > 0)
  )
    return null;
  return m;
}
