import type { Classification, Logger, Registry } from '@qunfa/core';

/** A classification with the plugin that made it (null: no classifier answered). */
export type ClassifiedReply = Classification & { classifier: string | null };

/**
 * Asks the loaded classifiers in registry order; the first that answers wins. One that throws
 * is logged and skipped, so a broken model never loses a reply. None answering: `other`.
 */
export async function classifyReply(
  registry: Pick<Registry, 'classifiers'>,
  logger: Logger,
  input: { text: string; channel: string; workspaceId: number },
): Promise<ClassifiedReply> {
  for (const classifier of registry.classifiers) {
    try {
      const result = await classifier.classify({
        text: input.text,
        channel: input.channel,
        workspaceId: String(input.workspaceId),
      });
      if (result) return { ...result, classifier: classifier.name };
    } catch (error) {
      logger.error('a classifier failed; trying the next', {
        plugin: classifier.name,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { label: 'other', confidence: 0, reasons: ['unclassified'], classifier: null };
}
