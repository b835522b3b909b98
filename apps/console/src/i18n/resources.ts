/** Every UI string, per feature, merged into one i18next namespace per language. */
import { campaignEn, campaignZh } from '../campaigns/messages.js';
import { wecomTaskEn, wecomTaskZh } from '../campaigns/wecom-task-messages.js';
import { composerEn, composerZh } from '../composer/messages.js';
import { peopleEn, peopleZh } from '../contacts/messages.js';
import { groupsEn, groupsZh } from '../groups/messages.js';
import { inboxEn, inboxZh } from '../inbox/messages.js';
import { reviewEn, reviewZh } from '../review/messages.js';
import { findingEn, findingZh } from '../ui/finding-messages.js';
import { frameEn, frameZh } from '../ui/messages.js';
import type { Locale } from './locale.js';
import { enMessages } from './messages-en.js';
import { vocabularyEn, vocabularyZh } from './messages-vocabulary.js';
import { zhMessages } from './messages-zh.js';

/** A feature's strings: Simplified Chinese defines the keys, English must have each. */
export interface MessageBundle<K extends string> {
  'zh-CN': Record<K, string>;
  en: Record<K, string>;
}

export const BUNDLES = {
  common: { 'zh-CN': zhMessages, en: enMessages },
  vocabulary: { 'zh-CN': vocabularyZh, en: vocabularyEn },
  frame: { 'zh-CN': frameZh, en: frameEn },
  campaigns: { 'zh-CN': campaignZh, en: campaignEn },
  wecomTasks: { 'zh-CN': wecomTaskZh, en: wecomTaskEn },
  composer: { 'zh-CN': composerZh, en: composerEn },
  review: { 'zh-CN': reviewZh, en: reviewEn },
  findings: { 'zh-CN': findingZh, en: findingEn },
  people: { 'zh-CN': peopleZh, en: peopleEn },
  groups: { 'zh-CN': groupsZh, en: groupsEn },
  inbox: { 'zh-CN': inboxZh, en: inboxEn },
} satisfies Record<string, MessageBundle<string>>;

type Bundles = typeof BUNDLES;
export type MessageKey = { [B in keyof Bundles]: keyof Bundles[B]['zh-CN'] }[keyof Bundles] & string;

export function messagesFor(locale: Locale): Record<string, string> {
  return Object.assign({}, ...Object.values(BUNDLES).map((bundle) => bundle[locale]));
}
