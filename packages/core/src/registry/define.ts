import type { z } from 'zod';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { ClassifierPlugin } from '../plugins/classifier.js';
import type { GroupMetricPlugin, MetricPlugin } from '../plugins/metric.js';
import { parsePluginOptions } from '../plugins/options.js';
import type { QunfaPlugin } from '../plugins/plugin.js';
import type { ComplianceRule } from '../plugins/rule.js';

/**
 * Makes a plugin from options, validating them first; `pluginName` lets a config file
 * refer to it (`{ use: 'channel:wecom', options: {…} }`). `O` defaults to `never` so that a
 * factory of any options type fits a list of factories.
 */
export type PluginFactory<O = never, P extends QunfaPlugin = QunfaPlugin> = ((options?: O) => P) & {
  readonly pluginName: P['name'];
};

interface Definition<N extends string, S extends z.ZodType, P> {
  name: N;
  /** Schema of the options; parsed once per factory call, failing with PLUGIN_OPTIONS_INVALID. */
  options: S;
  /** The `@qunfa/core` versions the plugin supports, as a semver range (`^0.1.0`); unset: any. */
  kernel?: string;
  /** Paths of options that hold secrets (`secret`, `auth.token`): masked wherever options are shown. */
  secrets?: readonly string[];
  create(options: z.output<S>): P;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function define<P extends QunfaPlugin, S extends z.ZodType>(
  kind: P['kind'],
  definition: Definition<P['name'], S, Omit<P, 'kind' | 'name'>>,
): PluginFactory<z.input<S>, P> {
  const factory = (options?: z.input<S>): P => {
    const parsed = parsePluginOptions(definition.name, definition.options, options);
    return {
      ...definition.create(parsed),
      kind,
      name: definition.name,
      ...(isRecord(parsed) ? { options: parsed } : {}),
      ...(definition.kernel === undefined ? {} : { kernel: definition.kernel }),
      ...(definition.secrets === undefined ? {} : { secrets: definition.secrets }),
    } as P;
  };
  return Object.assign(factory, { pluginName: definition.name });
}

export function defineChannel<S extends z.ZodType>(
  definition: Definition<ChannelPlugin['name'], S, Omit<ChannelPlugin, 'kind' | 'name'>>,
): PluginFactory<z.input<S>, ChannelPlugin> {
  return define<ChannelPlugin, S>('channel', definition);
}

export function defineRule<S extends z.ZodType>(
  definition: Definition<ComplianceRule['name'], S, Omit<ComplianceRule, 'kind' | 'name'>>,
): PluginFactory<z.input<S>, ComplianceRule> {
  return define<ComplianceRule, S>('rule', definition);
}

export function defineMetric<S extends z.ZodType>(
  definition: Definition<MetricPlugin['name'], S, Omit<MetricPlugin, 'kind' | 'name'>>,
): PluginFactory<z.input<S>, MetricPlugin> {
  return define<MetricPlugin, S>('metric', definition);
}

/** A customer-group health metric: `create` returns its hooks without `subject`, which is `group`. */
export function defineGroupMetric<S extends z.ZodType>(
  definition: Definition<GroupMetricPlugin['name'], S, Omit<GroupMetricPlugin, 'kind' | 'name' | 'subject'>>,
): PluginFactory<z.input<S>, GroupMetricPlugin> {
  const factory = define<GroupMetricPlugin, S>('metric', {
    ...definition,
    create: (options) => ({ ...definition.create(options), subject: 'group' }),
  });
  return factory;
}

export function defineClassifier<S extends z.ZodType>(
  definition: Definition<ClassifierPlugin['name'], S, Omit<ClassifierPlugin, 'kind' | 'name'>>,
): PluginFactory<z.input<S>, ClassifierPlugin> {
  return define<ClassifierPlugin, S>('classifier', definition);
}
