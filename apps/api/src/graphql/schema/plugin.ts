import type { QunfaPlugin } from '@qunfa/core';
import { authorize } from '../../auth/roles.js';
import { maskOptions } from '../../plugin-config/mask-options.js';
import { builder } from '../builder.js';

const PluginKindEnum = builder.enumType('PluginKind', {
  values: {
    CHANNEL: { value: 'channel' },
    RULE: { value: 'rule' },
    METRIC: { value: 'metric' },
    CLASSIFIER: { value: 'classifier' },
  } as const,
});

const PluginSourceEnum = builder.enumType('PluginSource', {
  values: {
    BUILTIN: { value: 'builtin', description: 'Part of the built-in set' },
    CONFIG: { value: 'config', description: 'Added or replaced by the project config' },
  } as const,
});

interface PluginShape {
  plugin: QunfaPlugin;
  source: 'builtin' | 'config';
  secretPaths: readonly string[];
}

const Plugin = builder.objectRef<PluginShape>('Plugin').implement({
  description: 'A loaded plugin; its options as JSON with every secret masked',
  fields: (t) => ({
    name: t.string({ resolve: (p) => p.plugin.name }),
    kind: t.field({ type: PluginKindEnum, resolve: (p) => p.plugin.kind }),
    source: t.field({ type: PluginSourceEnum, resolve: (p) => p.source }),
    kernel: t.string({
      nullable: true,
      description: 'The @qunfa/core range the plugin declares it supports',
      resolve: (p) => p.plugin.kernel ?? null,
    }),
    options: t.field({
      type: 'JSON',
      resolve: (p) => maskOptions(p.plugin.options ?? {}, [...(p.plugin.secrets ?? []), ...p.secretPaths]),
    }),
  }),
});

builder.queryField('plugins', (t) =>
  t.field({
    type: [Plugin],
    description:
      'Admin only: the loaded channels, rules, metrics (campaign, then customer-group) and classifiers, in load order',
    resolve: (_root, _args, ctx) => {
      authorize(ctx.principal, 'admin');
      const { registry, pluginOrigins } = ctx.deps;
      const all: QunfaPlugin[] = [
        ...registry.channels,
        ...registry.rules,
        ...registry.metrics,
        ...registry.groupMetrics,
        ...registry.classifiers,
      ];
      return all.map((plugin) => {
        const origin = pluginOrigins?.get(plugin.name);
        return { plugin, source: origin?.source ?? 'builtin', secretPaths: origin?.secretPaths ?? [] };
      });
    },
  }),
);
