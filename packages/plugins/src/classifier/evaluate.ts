import { type ClassifierPlugin, type ReplyClass, replyClasses } from '@qunfa/core';

export interface LabelledReply {
  text: string;
  label: ReplyClass;
}

export interface ClassScore {
  label: ReplyClass;
  /** Messages labelled so. */
  support: number;
  /** Of those the classifier put in this class, the share labelled so; null when it put none. */
  precision: number | null;
  /** Of those labelled so, the share the classifier found; null without support. */
  recall: number | null;
}

export interface Evaluation {
  total: number;
  accuracy: number;
  classes: ClassScore[];
  /** Misclassified messages, for tuning a lexicon. */
  errors: { text: string; label: ReplyClass; predicted: ReplyClass }[];
}

/** Precision and recall per class of a classifier on a labelled set. */
export async function evaluateClassifier(
  classifier: ClassifierPlugin,
  set: readonly LabelledReply[],
): Promise<Evaluation> {
  const predicted: ReplyClass[] = [];
  for (const item of set) predicted.push((await classifier.classify({ text: item.text }))?.label ?? 'other');
  const errors = set.flatMap((item, i) =>
    predicted[i] === item.label ? [] : [{ text: item.text, label: item.label, predicted: predicted[i]! }],
  );
  const classes = replyClasses.map((label): ClassScore => {
    const support = set.filter((s) => s.label === label).length;
    const chosen = predicted.filter((p) => p === label).length;
    const hits = set.filter((s, i) => s.label === label && predicted[i] === label).length;
    return {
      label,
      support,
      precision: chosen === 0 ? null : hits / chosen,
      recall: support === 0 ? null : hits / support,
    };
  });
  return { total: set.length, accuracy: (set.length - errors.length) / set.length, classes, errors };
}
