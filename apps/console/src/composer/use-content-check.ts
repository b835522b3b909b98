import type { CombinedError } from '@urql/core';
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import type { ResultOf } from '../graphql/graphql.js';
import { useDebounced } from '../ui/use-debounced.js';
import { CheckContentQuery } from './composer-documents.js';

export type ContentFinding = ResultOf<typeof CheckContentQuery>['checkContent'][number];

/** Debounce while typing: a check per pause, not per key. */
export const CHECK_DELAY_MS = 400;

/**
 * Findings for the text as it is typed, from `checkContent` once typing pauses. Findings of an
 * older text are never shown against a newer one: `checkedText` says which text they are for.
 */
export function useContentCheck(text: string, subject: string, channels: readonly string[], type: string) {
  const client = useClient();
  const input = useDebounced({ text, subject, channels: channels.join('|'), type }, CHECK_DELAY_MS);
  const [findings, setFindings] = useState<ContentFinding[]>([]);
  const [checkedText, setCheckedText] = useState<string | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);

  useEffect(() => {
    let current = true;
    if (input.text.trim() === '') {
      setFindings([]);
      setCheckedText(input.text);
      return;
    }
    void client
      .query(CheckContentQuery, {
        text: input.text,
        subject: input.subject || null,
        channels: input.channels ? input.channels.split('|') : null,
        type: input.type,
      })
      .toPromise()
      .then((result) => {
        if (!current) return;
        setError(result.error ?? null);
        if (result.data) {
          setFindings(result.data.checkContent);
          setCheckedText(input.text);
        }
      });
    return () => {
      current = false;
    };
  }, [client, input]);

  const upToDate = checkedText === text;
  return { findings: upToDate ? findings : [], checking: !upToDate, error };
}
