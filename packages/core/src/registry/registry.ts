import { QunfaError } from '../errors.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { ClassifierPlugin } from '../plugins/classifier.js';
import type { GroupMetricPlugin, MetricPlugin } from '../plugins/metric.js';
import type { QunfaPlugin } from '../plugins/plugin.js';
import type { ComplianceRule } from '../plugins/rule.js';
import { assertKernelCompatible } from './kernel-version.js';

/** The loaded plugins, by kind, in the order they were given. */
export interface Registry {
  channels: readonly ChannelPlugin[];
  rules: readonly ComplianceRule[];
  /** Campaign metrics. */
  metrics: readonly MetricPlugin[];
  /** Customer-group health metrics (`subject: 'group'`), evaluated per group. */
  groupMetrics: readonly GroupMetricPlugin[];
  /** Reply classifiers, tried in this order: the first that answers wins. */
  classifiers: readonly ClassifierPlugin[];
  /** The channel of that name; CHANNEL_NOT_FOUND when none is loaded. */
  channel(name: string): ChannelPlugin;
  get(name: string): QunfaPlugin | undefined;
}

const namespaces = {
  channel: 'channel:',
  rule: 'rule:',
  metric: 'metric:',
  classifier: 'classifier:',
} as const;

/** Checks names (unique, namespaced by kind) and declared kernel ranges, and indexes the plugins. */
export function createRegistry(plugins: readonly QunfaPlugin[]): Registry {
  const byName = new Map<string, QunfaPlugin>();
  for (const plugin of plugins) {
    const prefix = namespaces[plugin.kind];
    if (!prefix || !plugin.name.startsWith(prefix) || plugin.name.length === prefix.length) {
      throw new QunfaError('INVALID_INPUT', `a ${plugin.kind} plugin's name must start with "${prefix}"`, {
        plugin: plugin.name,
        details: { kind: plugin.kind, name: plugin.name },
      });
    }
    if (byName.has(plugin.name)) {
      throw new QunfaError('PLUGIN_DUPLICATE_NAME', 'two plugins have this name', {
        plugin: plugin.name,
        details: { name: plugin.name },
      });
    }
    assertKernelCompatible(plugin);
    byName.set(plugin.name, plugin);
  }
  const channels = plugins.filter((p): p is ChannelPlugin => p.kind === 'channel');
  return {
    channels,
    rules: plugins.filter((p): p is ComplianceRule => p.kind === 'rule'),
    metrics: plugins.filter((p): p is MetricPlugin => p.kind === 'metric' && p.subject !== 'group'),
    groupMetrics: plugins.filter((p): p is GroupMetricPlugin => p.kind === 'metric' && p.subject === 'group'),
    classifiers: plugins.filter((p): p is ClassifierPlugin => p.kind === 'classifier'),
    channel(name) {
      const plugin = byName.get(name);
      if (plugin?.kind !== 'channel') {
        throw new QunfaError('CHANNEL_NOT_FOUND', `no channel "${name}" is loaded`, {
          details: { channel: name },
        });
      }
      return plugin;
    },
    get: (name) => byName.get(name),
  };
}
