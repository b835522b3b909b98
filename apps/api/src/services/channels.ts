import { type AccountHealth, accountHealthStates, QunfaError } from '@qunfa/core';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { ServiceDeps } from './deps.js';
import { validate } from './validate.js';

/** Every loaded channel with its limits and each sender account's health (no record: healthy). */
export async function listChannels(deps: ServiceDeps, principal: Principal | null) {
  authorize(principal, 'read');
  return Promise.all(
    deps.registry.channels.map(async (channel) => {
      const recorded = new Map((await deps.store.accountHealth(channel.name)).map((h) => [h.account, h]));
      const accounts: AccountHealth[] = channel.accounts.map(
        (account) =>
          recorded.get(account) ?? {
            channel: channel.name,
            account,
            state: 'healthy',
            until: null,
            reason: null,
            updatedAt: new Date(0),
          },
      );
      return { name: channel.name, limits: channel.limits, identityKinds: channel.identityKinds, accounts };
    }),
  );
}

const healthInput = z
  .object({
    channel: z.string().min(1),
    account: z.string().min(1),
    state: z.enum(accountHealthStates),
    until: z.date().nullish(),
    reason: z.string().max(500).nullish(),
  })
  .refine((h) => (h.state === 'cooling') === Boolean(h.until), {
    message: 'a cool-down needs `until`, and only a cool-down has one',
    path: ['until'],
  });

/** An operator's decision on an account: restrict it, cool it down, or mark it healthy again. */
export async function setSenderAccountHealth(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'admin');
  const data = validate(healthInput, input);
  const channel = deps.registry.channels.find((c) => c.name === data.channel);
  if (!channel?.accounts.includes(data.account)) {
    throw new QunfaError('NOT_FOUND', `${data.channel} has no sender account "${data.account}"`, {
      details: { field: channel ? 'account' : 'channel' },
    });
  }
  const health: AccountHealth = {
    channel: data.channel,
    account: data.account,
    state: data.state,
    until: data.until ?? null,
    reason: data.reason ?? null,
    updatedAt: deps.clock.now(),
  };
  await deps.store.setAccountHealth(health, { kind: 'api_key', id: String(p.keyId) });
  return health;
}
