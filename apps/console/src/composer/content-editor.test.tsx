// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithApi } from '../test-support/render-with-api.js';
import { ContentEditor } from './content-editor.js';
import type { ContentDraft } from './draft.js';
import { CHECK_DELAY_MS } from './use-content-check.js';

const sms = {
  name: 'channel:sandbox-sms',
  identityKinds: ['PHONE' as const],
  quotaToday: null,
  accounts: [],
  limits: {
    maxSendsPerDay: null,
    maxTextLength: 500,
    contentTypes: ['text'],
    maxRecipientsPerSend: 100,
    sms: null,
  },
};

const aliyun = {
  name: 'channel:sms-aliyun',
  identityKinds: ['PHONE' as const],
  quotaToday: null,
  accounts: [],
  limits: {
    maxSendsPerDay: null,
    maxTextLength: 500,
    contentTypes: ['template'],
    maxRecipientsPerSend: 1000,
    sms: {
      signName: '群发科技',
      templates: [
        {
          name: '会员日',
          id: 'SMS_100',
          text: '$' + '{name}您好，会员日全场8折，回复TD退订',
          kind: 'marketing',
          variables: ['name'],
        },
      ],
    },
  },
};

function Editor({ channels = [sms] }: { channels?: (typeof sms | typeof aliyun)[] }) {
  const [variant, setVariant] = useState<ContentDraft>({ key: 'A', type: 'text', subject: '', text: '' });
  return (
    <ContentEditor
      variant={variant}
      channels={channels}
      sample={{ name: '王芳', attributes: {} }}
      attributeKeys={[]}
      onChange={setVariant}
    />
  );
}

/** The API's answer: a revise finding on 全网最低 wherever it occurs. */
function findings(text: string) {
  const at = text.indexOf('全网最低');
  return at < 0
    ? []
    : [
        {
          code: 'AD_LAW_ABSOLUTE_TERM',
          level: 'REVISE',
          message:
            '"全网最低" (ad-law-absolute): Absolute and superlative claims (绝对化用语) that advertising may not use.',
          params: { term: '全网最低', lexicon: 'ad-law-absolute' },
          rule: 'rule:sensitive-words',
          channel: null,
          span: { start: at, end: at + 4 },
        },
      ];
}

afterEach(cleanup);

describe('ContentEditor', () => {
  it('checks once typing pauses and marks the finding’s span with its level and reason', async () => {
    const { calls } = renderWithApi(<Editor />, (call) => ({
      checkContent: findings(String(call.variables.text)),
    }));
    const area = screen.getByTestId('content-text-A');
    for (const text of ['今', '今天', '今天全网最低价 {{name}}'])
      fireEvent.change(area, { target: { value: text } });
    await waitFor(() => expect(screen.getByTestId('findings-REVISE').textContent).toContain('1'), {
      timeout: CHECK_DELAY_MS * 5,
    });
    // Debounced: the three keystrokes made one check, of the last text.
    const checks = calls.filter((c) => c.operationName === 'CheckContent');
    expect(checks.map((c) => c.variables.text)).toEqual(['今天全网最低价 {{name}}']);
    expect(checks[0]!.variables.channels).toEqual(['channel:sandbox-sms']);
    const mark = screen.getByTestId('highlighted-text').querySelector('mark')!;
    expect(mark.textContent).toBe('全网最低');
    expect(mark.dataset.level).toBe('REVISE');
    expect(mark.getAttribute('title')).toContain('广告法绝对化用语');
    // Worded from the code and params in the operator's language, not the API's English message.
    expect(mark.getAttribute('title')).toContain('“全网最低”属于广告法禁止的绝对化用语');
    expect(screen.getByTestId('finding-text').textContent).not.toMatch(/advertising|Absolute/);
    expect(screen.getByTestId('preview-A').textContent).toBe('今天全网最低价 王芳');
    expect(screen.getByTestId('length-channel:sandbox-sms').textContent).toContain('1 条短信');
  });

  it('never shows findings of an older text against a newer one', async () => {
    renderWithApi(<Editor />, (call) => ({ checkContent: findings(String(call.variables.text)) }));
    const area = screen.getByTestId('content-text-A');
    fireEvent.change(area, { target: { value: '全网最低' } });
    await waitFor(() => expect(screen.getByTestId('highlighted-text').querySelector('mark')).not.toBeNull(), {
      timeout: 3000,
    });
    await act(async () => {
      fireEvent.change(area, { target: { value: '今天不错' } });
    });
    expect(screen.getByTestId('highlighted-text').querySelector('mark')).toBeNull();
    expect(screen.getByTestId('check-status').dataset.checking).toBe('true');
    await waitFor(() => expect(screen.getByTestId('check-status').dataset.checking).toBe('false'), {
      timeout: 3000,
    });
    expect(screen.queryByTestId('findings-REVISE')).toBeNull();
  });

  it('picks an approved SMS template, writes its variable lines and counts what the carrier bills', async () => {
    renderWithApi(<Editor channels={[aliyun]} />, () => ({ checkContent: [] }));
    expect(screen.queryByTestId('sms-template-text-A')).toBeNull();
    fireEvent.change(screen.getByTestId('sms-template-A'), { target: { value: '会员日' } });
    const area = screen.getByTestId('content-text-A') as HTMLTextAreaElement;
    expect(area.value).toBe('name: ');
    expect(screen.getByTestId('sms-template-text-A').textContent).toContain('会员日全场8折');
    fireEvent.change(area, { target: { value: 'name: {{name}}' } });
    expect(screen.getByTestId('billed-channel:sms-aliyun').textContent).toContain(
      '【群发科技】王芳您好，会员日全场8折，回复TD退订',
    );
    // 6 + 2 + 17 = 25 characters in UCS-2: one SMS.
    expect(screen.getByTestId('length-channel:sms-aliyun').textContent).toContain('25');
    expect(screen.getByTestId('length-channel:sms-aliyun').textContent).toContain('1 条短信');
  });
});
