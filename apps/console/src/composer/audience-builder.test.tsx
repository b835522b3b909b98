// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-support/render-with-api.js';
import { type AudienceModel, EMPTY_AUDIENCE } from './audience.js';
import { AudienceBuilder } from './audience-builder.js';

const tags = [
  { id: '1', name: '会员', parentId: null },
  { id: '2', name: '广东', parentId: null },
  { id: '3', name: '投诉过', parentId: null },
];

function Builder() {
  const [model, setModel] = useState<AudienceModel>(EMPTY_AUDIENCE);
  const [dormant, setDormant] = useState(false);
  return (
    <AudienceBuilder
      model={model}
      tags={tags}
      segments={[{ id: '9', name: '高价值', audience: { tag: '1' } }]}
      excludeDormant={dormant}
      rawAudience={null}
      onChange={(m) => setModel(m)}
      onExcludeDormant={setDormant}
    />
  );
}

/** A tiny reference: contacts with tags; the count the API would give for an expression. */
const contacts = [['1'], ['1', '2'], ['2'], ['1', '3'], []];
function count(e: Record<string, unknown>): number {
  const match = (c: string[], x: Record<string, unknown>): boolean => {
    if (x.all) return true;
    if (x.tag) return c.includes(String(x.tag));
    if (x.not) return !match(c, x.not as Record<string, unknown>);
    if (x.and) return (x.and as Record<string, unknown>[]).every((y) => match(c, y));
    if (x.or) return (x.or as Record<string, unknown>[]).some((y) => match(c, y));
    throw new Error(`unexpected ${JSON.stringify(x)}`);
  };
  return contacts.filter((c) => match(c, e)).length;
}

function preview(audience: Record<string, unknown>) {
  const matched = count(audience);
  return {
    audiencePreview: {
      matched,
      sendable: matched,
      suppressedTotal: 0,
      suppressed: [],
      asOf: '2025-03-01T00:00:00Z',
      sample: [],
      targets: 'PERSON',
      groupSample: [],
    },
  };
}

afterEach(cleanup);

describe('AudienceBuilder', () => {
  it('shows the exact count of the expression it builds: OR, AND and NOT of tags', async () => {
    const { calls } = renderWithApi(<Builder />, (call) =>
      preview(call.variables.audience as Record<string, unknown>),
    );
    const countShown = () => screen.getByTestId('audience-count').dataset.sendable;
    await waitFor(() => expect(countShown()).toBe('5'));

    const pick = (name: string, choice: string) =>
      fireEvent.change(within(screen.getByTestId(`audience-tag-${name}`)).getByRole('combobox'), {
        target: { value: choice },
      });
    pick('会员', 'include');
    pick('广东', 'include');
    await waitFor(() => expect(countShown()).toBe('4'));
    expect(calls.at(-1)!.variables.audience).toEqual({ or: [{ tag: '1' }, { tag: '2' }] });

    fireEvent.click(screen.getByTestId('audience-combine-and'));
    await waitFor(() => expect(countShown()).toBe('1'));

    fireEvent.click(screen.getByTestId('audience-combine-or'));
    pick('投诉过', 'exclude');
    await waitFor(() => expect(countShown()).toBe('3'));
    expect(calls.at(-1)!.variables.audience).toEqual({
      and: [{ or: [{ tag: '1' }, { tag: '2' }] }, { not: { tag: '3' } }],
    });
    expect(screen.getByTestId('audience-count').textContent).toContain('可发送 3 人');
  });

  it('counts a saved segment by its own expression', async () => {
    const { calls } = renderWithApi(<Builder />, (call) =>
      preview(call.variables.audience as Record<string, unknown>),
    );
    fireEvent.change(screen.getByTestId('audience-segment'), { target: { value: '9' } });
    await waitFor(() => expect(screen.getByTestId('audience-count').dataset.sendable).toBe('3'));
    expect(calls.at(-1)!.variables.audience).toEqual({ tag: '1' });
    expect(screen.queryByTestId('audience-tag-会员')).toBeNull();
  });
});
