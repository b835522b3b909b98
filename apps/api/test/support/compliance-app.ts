import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics, recipientRules } from '@qunfa/plugins';
import { complianceRules, type PluginServices } from '../../src/plugins.js';
import { gqlOk } from './graphql-client.js';

/** Two fast, failure-free sandbox channels (SMS by phone, email), the metrics and every compliance rule. */
export function compliancePlugins(frequencyCap = { max: 2, windowDays: 30 }) {
  return (services: PluginServices): QunfaPlugin[] => {
    const quiet = { ...services, quietHours: 'off' as const };
    return [
      sandbox({ name: 'channel:sandbox-sms', identityKinds: ['phone'], latencyMs: { min: 1, max: 2 } }),
      sandbox({ name: 'channel:sandbox-email', identityKinds: ['email'], latencyMs: { min: 1, max: 2 } }),
      ...builtinMetrics(),
      ...complianceRules(quiet).filter((p) => !['rule:suppression', 'rule:frequency-cap'].includes(p.name)),
      ...recipientRules({ facts: services.recipientFacts, frequencyCap }).filter(
        (r) => r.name !== 'rule:quiet-hours',
      ),
    ];
  };
}

export async function createTag(url: string, key: string, name: string): Promise<string> {
  return (
    await gqlOk<{ createTag: { id: string } }>(
      url,
      key,
      'mutation($n: String!) { createTag(input: { name: $n }) { id } }',
      {
        n: name,
      },
    )
  ).createTag.id;
}

export async function createContacts(
  url: string,
  key: string,
  input: Record<string, unknown>[],
): Promise<string[]> {
  const { createContacts } = await gqlOk<{ createContacts: { id: string }[] }>(
    url,
    key,
    'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
    { input },
  );
  return createContacts.map((c) => c.id);
}

export async function createCampaign(
  url: string,
  key: string,
  input: { name?: string; tag: string; text: string; channel: string },
): Promise<string> {
  const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
    url,
    key,
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    {
      input: {
        name: input.name ?? 'c',
        audience: { tag: input.tag },
        variants: [{ key: 'A', content: { text: input.text } }],
        channelPlan: [{ channel: input.channel }],
      },
    },
  );
  return createCampaign.id;
}
