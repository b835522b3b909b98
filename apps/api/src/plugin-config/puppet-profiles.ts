import { puppetFromModule, type WechatPersonalChannel, wechatPersonal } from '@qunfa/channels';
import { QunfaError } from '@qunfa/core';
import { z } from 'zod';
import type { PluginServices } from '../plugins.js';

const NAME = 'channel:wechat-personal';

/**
 * A puppet profile in a JSON config: the puppet package the operator installed, its options
 * (a token, an endpoint), and per-account options merged over them (each account's own token).
 */
const profile = z
  .object({
    module: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    accounts: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  })
  .strict();

/**
 * `{ "use": "channel:wechat-personal", "options": { "puppets": { "service": { "module":
 * "wechaty-puppet-service", "accounts": { "wx1": { "token": "…" } } } }, "policy": {…} } }`:
 * the channel off until an operator names it, on the app's shared limiter and plugin state.
 */
export function puppetProfiles(
  options: Record<string, unknown>,
  services: PluginServices,
): WechatPersonalChannel {
  const parsed = z.record(z.string(), profile).safeParse(options.puppets);
  if (!parsed.success) {
    throw new QunfaError('PLUGIN_OPTIONS_INVALID', `option "puppets": ${parsed.error.issues[0]?.message}`, {
      plugin: NAME,
      details: { field: 'puppets' },
    });
  }
  const puppets = Object.fromEntries(
    Object.entries(parsed.data).map(([name, p]) => [
      name,
      puppetFromModule(p.module, ({ id }) => ({ ...p.options, ...p.accounts[id] })),
    ]),
  );
  const name = (options.name as `channel:${string}` | undefined) ?? NAME;
  return wechatPersonal({
    ...(options as object),
    name,
    puppets,
    state: services.pluginState(name),
    limiter: services.limiter,
  });
}
