import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isQunfaError, type QunfaError } from '../errors.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { QunfaPlugin } from '../plugins/plugin.js';
import { defineChannel, defineClassifier, defineGroupMetric, defineMetric, defineRule } from './define.js';
import { loadPlugins } from './load-plugins.js';
import { createRegistry } from './registry.js';

const echo = defineChannel({
  name: 'channel:echo',
  options: z.object({
    /** Recipients per send. Default 10. */
    maxPerSend: z.number().int().positive().default(10),
  }),
  create: (options) => ({
    limits: {
      maxRecipientsPerSend: options.maxPerSend,
      contentTypes: ['text'],
      receipts: false,
      recall: false,
      idempotencyKeys: true,
    },
    identityKinds: ['phone'],
    accounts: [],
    address: (identities) => identities.find((i) => i.kind === 'phone')?.value,
    send: async (batch) => batch.messages.map((m) => ({ id: m.id, status: 'sent' as const })),
  }),
});
const quiet = defineRule({ name: 'rule:quiet', options: z.object({}), create: () => ({}) });
const always = defineClassifier({
  name: 'classifier:always',
  options: z.object({}),
  create: () => ({ classify: () => ({ label: 'other', confidence: 1, reasons: [] }) }),
});
const count = defineMetric({
  name: 'metric:count',
  options: z.object({ label: z.string().default('Count') }),
  create: (o) => ({ label: o.label, unit: 'count', compute: (c) => c.total }),
});

function thrown(run: () => unknown): QunfaError {
  try {
    run();
  } catch (error) {
    if (isQunfaError(error)) return error;
    throw error;
  }
  throw new Error('expected a QunfaError');
}

describe('createRegistry', () => {
  it('indexes plugins by kind and name', () => {
    const registry = createRegistry([echo(), quiet(), count(), always()]);
    expect(registry.channels.map((c) => c.name)).toEqual(['channel:echo']);
    expect(registry.classifiers.map((c) => c.name)).toEqual(['classifier:always']);
    expect(registry.rules.map((r) => r.name)).toEqual(['rule:quiet']);
    expect(registry.metrics.map((m) => m.name)).toEqual(['metric:count']);
    expect(registry.channel('channel:echo').limits.maxRecipientsPerSend).toBe(10);
    expect(registry.get('rule:quiet')?.kind).toBe('rule');
    expect(registry.get('rule:nope')).toBeUndefined();
  });

  it('rejects a channel it does not have, and a non-channel asked for as one', () => {
    const registry = createRegistry([quiet()]);
    for (const name of ['channel:nope', 'rule:quiet']) {
      const error = thrown(() => registry.channel(name));
      expect(error.code).toBe('CHANNEL_NOT_FOUND');
      expect(error.details.channel).toBe(name);
    }
  });

  it('rejects two plugins of the same name, naming it', () => {
    const error = thrown(() => createRegistry([echo(), echo({ maxPerSend: 5 })]));
    expect(error.code).toBe('PLUGIN_DUPLICATE_NAME');
    expect(error.plugin).toBe('channel:echo');
  });

  it('rejects a name outside its kind’s namespace', () => {
    const wrong = { ...echo(), name: 'rule:echo' } as unknown as ChannelPlugin;
    const error = thrown(() => createRegistry([wrong]));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.plugin).toBe('rule:echo');
    expect(error.details.kind).toBe('channel');
    const bare = { ...quiet(), name: 'rule:' } as QunfaPlugin;
    expect(thrown(() => createRegistry([bare])).code).toBe('INVALID_INPUT');
  });
});

describe('define helpers', () => {
  it('validate options once and stamp kind and name', () => {
    const channel = echo({ maxPerSend: 3 });
    expect(channel).toMatchObject({ kind: 'channel', name: 'channel:echo' });
    expect(channel.limits.maxRecipientsPerSend).toBe(3);
    expect(echo.pluginName).toBe('channel:echo');
    expect(count().label).toBe('Count');
  });

  it('name the plugin and the field of a bad option', () => {
    const error = thrown(() => echo({ maxPerSend: -1 }));
    expect(error.code).toBe('PLUGIN_OPTIONS_INVALID');
    expect(error.plugin).toBe('channel:echo');
    expect(error.details.field).toBe('maxPerSend');
    expect(error.message).toContain('[channel:echo] option "maxPerSend"');
  });
});

describe('loadPlugins', () => {
  const factories = [echo, quiet, count];

  it('builds the listed plugins in order', () => {
    const plugins = loadPlugins(
      [
        { use: 'metric:count', options: { label: 'N' } },
        { use: 'channel:echo', options: { maxPerSend: 2 } },
      ],
      factories,
    );
    expect(plugins.map((p) => p.name)).toEqual(['metric:count', 'channel:echo']);
    expect(createRegistry(plugins).channel('channel:echo').limits.maxRecipientsPerSend).toBe(2);
  });

  it('rejects an unknown plugin', () => {
    const error = thrown(() => loadPlugins([{ use: 'channel:nope' }], factories));
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.plugin).toBe('channel:nope');
    expect(error.details.available).toEqual(['channel:echo', 'rule:quiet', 'metric:count']);
  });

  it('passes bad options on to the factory’s error', () => {
    const error = thrown(() =>
      loadPlugins([{ use: 'channel:echo', options: { maxPerSend: 'many' } }], factories),
    );
    expect(error.code).toBe('PLUGIN_OPTIONS_INVALID');
    expect(error.plugin).toBe('channel:echo');
    expect(error.details.field).toBe('maxPerSend');
  });
});

describe('group metrics', () => {
  const leaves = defineGroupMetric({
    name: 'metric:group-leaves-test',
    options: z.object({}),
    create: () => ({ label: 'Leaves', unit: 'count', compute: (g) => g.leaves }),
  });

  it('are listed apart from campaign metrics, which never see a group input', () => {
    const registry = createRegistry([count(), leaves()]);
    expect(registry.metrics.map((m) => m.name)).toEqual(['metric:count']);
    expect(registry.groupMetrics.map((m) => m.name)).toEqual(['metric:group-leaves-test']);
    expect(registry.groupMetrics[0]!.subject).toBe('group');
    expect(
      registry.groupMetrics[0]!.compute({
        month: '2026-11',
        members: 90,
        membersAtStart: 100,
        joins: 0,
        leaves: 10,
      }),
    ).toBe(10);
  });

  it('share the metric namespace: a group metric and a campaign metric cannot have one name', () => {
    const clash = defineGroupMetric({
      name: 'metric:count',
      options: z.object({}),
      create: () => ({ label: 'Count', unit: 'count', compute: (g) => g.joins }),
    });
    expect(() => createRegistry([count(), clash()])).toThrow(/two plugins have this name/);
  });
});
