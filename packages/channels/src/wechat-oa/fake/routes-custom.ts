import { err, ok, type Route } from './route.js';

/** How long after a follower's message WeChat takes customer-service answers, and how many. */
const WINDOW_MS = 48 * 3600_000;
const ANSWERS = 5;

/**
 * `message/custom/send`: a customer-service message to one follower, only within 48 hours of
 * their last message (45015 after, or once they unfollowed) and 5 answers a window (45047).
 */
export const customSend: Route = (account, req) => {
  const { touser, msgtype } = req.body;
  if (typeof touser !== 'string' || touser === '') return err(40003, 'invalid openid');
  const follower = account.followers.get(touser);
  const now = account.now().getTime();
  if (!follower || follower.lastMessageAt === undefined || now - follower.lastMessageAt > WINDOW_MS) {
    return err(45015, 'response out of time limit or subscription is canceled');
  }
  if (msgtype !== 'text') return err(40008, 'invalid message type');
  const content = (req.body.text as { content?: unknown } | undefined)?.content;
  if (typeof content !== 'string' || content === '') return err(44004, 'empty content');
  if (follower.answers >= ANSWERS) return err(45047, 'out of response count limit');
  follower.answers++;
  account.customSends.push({ touser, msgtype, content, at: now });
  return ok();
};
