/** A reply that unsubscribes: TD, T, N, 退订, 取消订阅, 拒收, STOP, UNSUBSCRIBE (the whole reply). */
const UNSUBSCRIBE_REPLY = /^(td|t|n|退订|退訂|取消订阅|拒收|stop|unsubscribe)$/i;

export function isUnsubscribeReply(text: string): boolean {
  return UNSUBSCRIBE_REPLY.test(text.normalize('NFKC').replace(/[\s。.!！]/g, ''));
}
