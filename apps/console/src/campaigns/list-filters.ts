import { startOfDay } from '../format/date-time.js';
import type { VariablesOf } from '../graphql/graphql.js';
import type { CampaignState } from '../graphql/types.js';
import type { CampaignsQuery } from './campaign-documents.js';

/** The list's filters as the URL keeps them (`#/?state=RUNNING&channel=…`), so a filtered list can be shared. */
export interface ListFilters {
  state: CampaignState | '';
  channel: string;
  /** First and last day, `YYYY-MM-DD`, in the workspace's time zone. */
  from: string;
  to: string;
  /** `m:<member id>` or `k:<key id>` (a service key). */
  creator: string;
  search: string;
}

const KEYS = ['state', 'channel', 'from', 'to', 'creator', 'search'] as const;

export function filtersOf(params: URLSearchParams): ListFilters {
  const get = (k: (typeof KEYS)[number]) => params.get(k)?.trim() ?? '';
  return {
    state: get('state') as CampaignState | '',
    channel: get('channel'),
    from: get('from'),
    to: get('to'),
    creator: get('creator'),
    search: params.get('search') ?? '',
  };
}

/** The URL's query for `filters`, leaving out the empty ones. */
export function paramsOf(filters: ListFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const k of KEYS) if (filters[k] !== '') params.set(k, filters[k]);
  return params;
}

export const isFiltered = (filters: ListFilters) => KEYS.some((k) => filters[k].trim() !== '');

type Filter = NonNullable<VariablesOf<typeof CampaignsQuery>['filter']>;

/** The API's filter: days become instants in `timeZone`, the last day included. */
export function campaignFilterOf(filters: ListFilters, timeZone: string): Filter {
  const filter: Filter = {};
  if (filters.state) filter.states = [filters.state];
  if (filters.channel) filter.channels = [filters.channel];
  const from = filters.from ? startOfDay(filters.from, timeZone) : null;
  const before = filters.to ? startOfDay(filters.to, timeZone, 1) : null;
  if (from) filter.createdFrom = from;
  if (before) filter.createdBefore = before;
  const creator = /^([mk]):(\d+)$/.exec(filters.creator);
  if (creator?.[1] === 'm') filter.creatorMemberIds = [creator[2]!];
  if (creator?.[1] === 'k') filter.creatorKeyIds = [creator[2]!];
  const search = filters.search.trim();
  if (search) filter.search = search;
  return filter;
}

export interface CreatorChoice {
  value: string;
  label: string;
}

/** One choice per member (whatever keys they used), and one per service key. */
export function creatorChoices(
  creators: readonly { keyId: string; keyName: string; memberId: string | null; memberName: string | null }[],
): CreatorChoice[] {
  const choices = new Map<string, CreatorChoice>();
  for (const c of creators) {
    const choice =
      c.memberId !== null
        ? { value: `m:${c.memberId}`, label: c.memberName ?? c.keyName }
        : { value: `k:${c.keyId}`, label: c.keyName };
    if (!choices.has(choice.value)) choices.set(choice.value, choice);
  }
  return [...choices.values()];
}
