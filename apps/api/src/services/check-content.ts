import { type ContentType, contentTypes, QunfaError } from '@qunfa/core';
import { checkTemplate } from '@qunfa/plugins';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { ServiceDeps } from './deps.js';
import { validate } from './validate.js';

const input = z.object({
  text: z.string().max(20_000),
  subject: z.string().max(1000).optional(),
  type: z.enum(contentTypes).default('text'),
  channels: z.array(z.string().min(1)).max(20).default([]),
});

/**
 * Every loaded rule's findings on a draft text, for highlighting while the operator types:
 * pure in-memory checks against the workspace's current index, no database round trip.
 */
export async function checkContentLive(deps: ServiceDeps, principal: Principal | null, raw: unknown) {
  const p = authorize(principal, 'read');
  const data = validate(input, raw);
  const channelLimits = Object.fromEntries(
    data.channels.map((name, i) => {
      const channel = deps.registry.channels.find((c) => c.name === name);
      if (!channel) {
        throw new QunfaError('CHANNEL_NOT_FOUND', `channel "${name}" is not loaded`, {
          details: { field: `channels.${i}` },
        });
      }
      return [name, channel.limits];
    }),
  );
  const content = {
    type: data.type as ContentType,
    text: data.text,
    ...(data.subject ? { subject: data.subject } : {}),
  };
  return checkTemplate(
    deps.registry.rules,
    content,
    {},
    { channels: data.channels, channelLimits, workspaceId: String(p.workspaceId) },
  );
}
