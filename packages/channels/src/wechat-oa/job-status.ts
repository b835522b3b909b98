import type { FailureClass } from '@qunfa/core';

/** What a mass-send job's `Status` (`MASSSENDJOBFINISH`) says about every recipient of the job. */
export type JobOutcome = { kind: 'sent' } | { kind: 'failed'; failure: FailureClass; error: string };

/** `err(num)` reasons of a job WeChat stopped, from the batch-send documentation. */
const reasons: Record<string, { failure: FailureClass; error: string }> = {
  '10001': { failure: 'content_rejected', error: 'suspected advertising (涉嫌广告)' },
  '20001': { failure: 'content_rejected', error: 'suspected politics (涉嫌政治)' },
  '20002': { failure: 'content_rejected', error: 'suspected pornography (涉嫌色情)' },
  '20004': { failure: 'content_rejected', error: 'suspected social issues (涉嫌社会)' },
  '20006': { failure: 'content_rejected', error: 'suspected crime (涉嫌违法犯罪)' },
  '20008': { failure: 'content_rejected', error: 'suspected fraud (涉嫌欺诈)' },
  '20013': { failure: 'content_rejected', error: 'suspected copyright issue (涉嫌版权)' },
  '21000': { failure: 'content_rejected', error: 'suspected other violation (涉嫌其他)' },
  '22000': { failure: 'content_rejected', error: 'suspected mutual promotion (涉嫌互推)' },
  '30001': {
    failure: 'content_rejected',
    error: 'the originality check failed and reprints are not sent (原创校验系统错误)',
  },
  '30002': {
    failure: 'content_rejected',
    error: 'the originality check forbids sending it (原创校验不能群发)',
  },
  '30003': {
    failure: 'content_rejected',
    error: 'judged a reprint and reprints are not sent (被判为转载，send_ignore_reprint 为 0)',
  },
  '40001': {
    failure: 'content_rejected',
    error: 'an administrator refused the mass send (mass-send protection, 管理员拒绝)',
  },
  // Nobody confirmed in time: WeChat dropped the job, nothing reached anyone (the engine hands
  // the recipients to the plan's next step at once).
  '40002': {
    failure: 'unconfirmed',
    error: 'no administrator confirmed the mass send within 30 minutes (mass-send protection, 超时)',
  },
};

/** Reads `send success`, `send fail` and `err(num)`; anything else is a failure of unknown class. */
export function jobOutcome(status: string): JobOutcome {
  const s = status.trim().toLowerCase();
  if (s === 'send success' || s === 'sendsuccess') return { kind: 'sent' };
  if (s === 'send fail' || s === 'sendfail') {
    return { kind: 'failed', failure: 'unknown', error: 'WeChat reported the mass send failed (send fail)' };
  }
  const code = /^err\((\d+)\)$/.exec(s)?.[1];
  if (code !== undefined) {
    const known = reasons[code];
    return known
      ? { kind: 'failed', failure: known.failure, error: `WeChat err(${code}): ${known.error}` }
      : { kind: 'failed', failure: 'unknown', error: `WeChat err(${code})` };
  }
  return { kind: 'failed', failure: 'unknown', error: `WeChat job status "${status.slice(0, 40)}"` };
}

/** Template message results (`TEMPLATESENDJOBFINISH`) and subscription notice results. */
export function noticeOutcome(
  status: string,
): { delivered: true } | { failure: FailureClass; error: string } {
  const s = status.trim().toLowerCase();
  if (s === 'success') return { delivered: true };
  if (s.replace(/\s+/g, '') === 'failed:userblock') {
    return {
      failure: 'blocked_by_user',
      error: 'the follower refuses messages from the account (user block)',
    };
  }
  return { failure: 'unknown', error: `WeChat: ${status.slice(0, 60)}` };
}
