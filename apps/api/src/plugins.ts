import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';

/** The plugins of the embedded default: the sandbox channel with its demo failure mix, and the metrics. */
export function defaultPlugins(): QunfaPlugin[] {
  return [sandbox({ preset: 'demo' }), ...builtinMetrics()];
}
