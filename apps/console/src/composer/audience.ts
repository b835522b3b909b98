/** The audience builder's model and the API's audience expression it stands for. */
export interface AttributeFilter {
  key: string;
  value: string;
}

export interface AudienceModel {
  /** Follow a saved segment instead of the rules below. */
  segmentId: string | null;
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
    else if (Array.isArray(p.or) || Array.isArray(p.and)) {
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
  return m;
}
