import { readFileSync } from 'node:fs';
import { isReplyClass } from '@qunfa/core';
import type { LabelledReply } from './evaluate.js';

/** The labelled replies shipped in packages/plugins/datasets (`dev` tunes the lexicons, `holdout` does not). */
export function labelledReplies(part: 'dev' | 'holdout'): LabelledReply[] {
  const path = new URL(`../../datasets/replies.${part}.jsonl`, import.meta.url);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row = JSON.parse(line) as { text?: unknown; label?: unknown };
      if (typeof row.text !== 'string' || !isReplyClass(row.label)) {
        throw new Error(`replies.${part}.jsonl line ${i + 1}: needs a text and a known label`);
      }
      return { text: row.text, label: row.label };
    });
}
