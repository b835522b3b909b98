import { render } from '@testing-library/react';
import { Client, type Exchange, makeResult, type Operation } from '@urql/core';
import { print } from 'graphql';
import type { ReactElement } from 'react';
import { Provider } from 'urql';
import { delay, filter, fromValue, map, mergeMap, pipe } from 'wonka';
import { LocaleProvider } from '../i18n/locale-context.js';

export interface Call {
  operationName: string;
  variables: Record<string, unknown>;
}

/**
 * Renders `ui` with an urql client whose exchange answers each operation with `respond(call)`,
 * as the API would over HTTP, and records every call, for component tests.
 */
export function renderWithApi(ui: ReactElement, respond: (call: Call) => unknown) {
  const calls: Call[] = [];
  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op: Operation) => op.kind !== 'teardown'),
      mergeMap((op: Operation) => {
        const name = /(?:query|mutation|subscription)\s+(\w+)/.exec(print(op.query))?.[1] ?? '';
        const call = { operationName: name, variables: (op.variables ?? {}) as Record<string, unknown> };
        calls.push(call);
        return pipe(
          fromValue(op),
          delay(1),
          map((o) => makeResult(o, { data: respond(call) as Record<string, unknown> })),
        );
      }),
    );
  const client = new Client({
    url: 'http://test/graphql',
    exchanges: [exchange],
    requestPolicy: 'network-only',
  });
  const view = render(
    <LocaleProvider>
      <Provider value={client}>{ui}</Provider>
    </LocaleProvider>,
  );
  return { ...view, calls };
}
