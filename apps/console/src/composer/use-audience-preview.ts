import type { CombinedError } from '@urql/core';
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import type { ResultOf } from '../graphql/graphql.js';
import { useDebounced } from '../ui/use-debounced.js';
import { AudiencePreviewQuery } from './composer-documents.js';

export type AudiencePreview = ResultOf<typeof AudiencePreviewQuery>['audiencePreview'];

export const PREVIEW_DELAY_MS = 300;

/** The exact count of an audience expression, re-read once edits pause; null while none is known. */
export function useAudiencePreview(expression: unknown, excludeDormant: boolean) {
  const client = useClient();
  const key = useDebounced(JSON.stringify({ expression, excludeDormant }), PREVIEW_DELAY_MS);
  const [preview, setPreview] = useState<{ key: string; data: AudiencePreview } | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);

  useEffect(() => {
    let current = true;
    const { expression: audience, excludeDormant: dormant } = JSON.parse(key) as {
      expression: unknown;
      excludeDormant: boolean;
    };
    void client
      .query(AudiencePreviewQuery, { audience, excludeDormant: dormant })
      .toPromise()
      .then((result) => {
        if (!current) return;
        setError(result.error ?? null);
        if (result.data) setPreview({ key, data: result.data.audiencePreview });
      });
    return () => {
      current = false;
    };
  }, [client, key]);

  const latest = JSON.stringify({ expression, excludeDormant });
  return { preview: preview?.data ?? null, counting: preview?.key !== latest, error };
}
