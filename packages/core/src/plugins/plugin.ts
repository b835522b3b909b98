import type { ChannelPlugin } from './channel.js';
import type { ClassifierPlugin } from './classifier.js';
import type { GroupMetricPlugin, MetricPlugin } from './metric.js';
import type { ComplianceRule } from './rule.js';

export type QunfaPlugin =
  | ChannelPlugin
  | ComplianceRule
  | MetricPlugin
  | GroupMetricPlugin
  | ClassifierPlugin;
export type PluginKind = QunfaPlugin['kind'];
