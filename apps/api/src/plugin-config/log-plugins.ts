import type { Logger, Registry } from '@qunfa/core';
import type { AssembledPlugins } from './assemble-plugins.js';

/** One start-up line saying which channels, rules, metrics and classifiers run, and from which config. */
export function logActivePlugins(logger: Logger, registry: Registry, assembled: AssembledPlugins): void {
  const names = (list: readonly { name: string }[]) => list.map((p) => p.name);
  logger.info('plugins active', {
    config: assembled.configFile ?? null,
    channels: names(registry.channels),
    rules: names(registry.rules),
    metrics: names(registry.metrics),
    classifiers: names(registry.classifiers),
    fromConfig: [...assembled.origins].filter(([, o]) => o.source === 'config').map(([name]) => name),
    disabled: assembled.disabled,
  });
}
