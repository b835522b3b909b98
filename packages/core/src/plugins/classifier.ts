import type { ReplyClass } from '../domain/reply-class.js';
import type { PluginCommon } from './common.js';

/** What a classifier sees of an inbound message: its text and where it came from, nothing personal. */
export interface ClassifierInput {
  text: string;
  /** The channel it came over (`channel:wecom`); some cues mean more on one channel (SMS "T"). */
  channel?: string;
  /** The workspace, for classifiers with per-workspace lexicons or models. */
  workspaceId?: string;
}

export interface Classification {
  label: ReplyClass;
  /** 0–1: how sure the classifier is. A rule-based one says how strong its cues were. */
  confidence: number;
  /** Short, stable explanations (the cues that matched, `negated:投诉`): shown to the operator. */
  reasons: string[];
}

/**
 * A classifier plugin sorts replies. Plugins are tried in registry order: the first that
 * answers wins, so a model for one language can return undefined ("not mine") and leave the
 * rest to the rule-based one.
 */
export interface ClassifierPlugin extends PluginCommon {
  kind: 'classifier';
  /** `classifier:<id>`, stable. */
  name: `classifier:${string}`;
  classify(input: ClassifierInput): Classification | undefined | Promise<Classification | undefined>;
}
