import type { z } from 'zod';
import { QunfaError } from '../errors.js';

/**
 * Validates a plugin's options once, at creation. A failure names the plugin and the
 * first offending field, so `sandbox({ latencyMs: -1 })` says
 * `[channel:sandbox] option "latencyMs": …`.
 */
export function parsePluginOptions<S extends z.ZodType>(
  plugin: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(options)';
  throw new QunfaError('PLUGIN_OPTIONS_INVALID', `option "${field}": ${issue?.message ?? 'invalid'}`, {
    plugin,
    details: {
      field,
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}
