import type { ChannelPlugin } from './channel.js';
import type { MetricPlugin } from './metric.js';
import type { ComplianceRule } from './rule.js';

export type QunfaPlugin = ChannelPlugin | ComplianceRule | MetricPlugin;
export type PluginKind = QunfaPlugin['kind'];
