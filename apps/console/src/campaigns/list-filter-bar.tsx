import { useEffect, useId, useState } from 'react';
import { useQuery } from 'urql';
import type { CampaignState } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { useDebounced } from '../ui/use-debounced.js';
import { CampaignFilterChoicesQuery } from './campaign-documents.js';
import { creatorChoices, isFiltered, type ListFilters } from './list-filters.js';

const EMPTY: ListFilters = { state: '', channel: '', from: '', to: '', creator: '', search: '' };

/** State, channel, creation days, creator and a name search; the search goes out once typing pauses. */
export function ListFilterBar({
  filters,
  onChange,
  states,
}: {
  filters: ListFilters;
  onChange(change: Partial<ListFilters>): void;
  states: readonly CampaignState[];
}) {
  const { t, tx } = useI18n();
  const [{ data }] = useQuery({ query: CampaignFilterChoicesQuery, requestPolicy: 'network-only' });
  const [search, setSearch] = useState(filters.search);
  const settled = useDebounced(search, 300);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a settled search is sent, not every render
  useEffect(() => {
    if (settled !== filters.search) onChange({ search: settled });
  }, [settled]);
  const id = useId();
  const channels = data?.channels.map((c) => c.name) ?? [];
  if (filters.channel && !channels.includes(filters.channel)) channels.push(filters.channel);
  const creators = creatorChoices(data?.campaignCreators ?? []);

  return (
    <fieldset className="filters" aria-label={t('list.filters')}>
      <label>
        <span>{t('list.filterState')}</span>
        <select
          value={filters.state}
          data-testid="filter-state"
          onChange={(e) => onChange({ state: e.target.value as CampaignState | '' })}
        >
          <option value="">{t('list.filterAll')}</option>
          {states.map((s) => (
            <option key={s} value={s}>
              {tx(`state.${s}`, s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('list.channels')}</span>
        <select
          value={filters.channel}
          data-testid="filter-channel"
          onChange={(e) => onChange({ channel: e.target.value })}
        >
          <option value="">{t('list.filterAll')}</option>
          {channels.map((c) => (
            <option key={c} value={c}>
              {c.replace(/^channel:/, '')}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('list.createdFrom')}</span>
        <input
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          data-testid="filter-from"
          onChange={(e) => onChange({ from: e.target.value })}
        />
      </label>
      <label>
        <span>{t('list.createdTo')}</span>
        <input
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          data-testid="filter-to"
          onChange={(e) => onChange({ to: e.target.value })}
        />
      </label>
      <label>
        <span>{t('list.creator')}</span>
        <select
          value={filters.creator}
          data-testid="filter-creator"
          onChange={(e) => onChange({ creator: e.target.value })}
        >
          <option value="">{t('list.filterAll')}</option>
          {creators.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label htmlFor={`${id}-search`} className="visually-hidden">
        {t('list.search')}
      </label>
      <input
        id={`${id}-search`}
        type="search"
        placeholder={t('list.search')}
        value={search}
        data-testid="filter-search"
        onChange={(e) => setSearch(e.target.value)}
      />
      {isFiltered(filters) ? (
        <button
          type="button"
          className="button button--ghost"
          data-testid="filter-clear"
          onClick={() => {
            setSearch('');
            onChange(EMPTY);
          }}
        >
          {t('list.clearFilters')}
        </button>
      ) : null}
    </fieldset>
  );
}
