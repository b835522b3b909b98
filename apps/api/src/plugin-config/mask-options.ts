/** What a masked secret shows as. */
export const MASK = '••••••';

/** Option names that are treated as secrets even when a plugin forgot to declare them. */
const secretLike = /secret|password|passwd|token|aes_?key|api_?key|private|credential/i;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Options as JSON an admin may see: declared secret paths, secret-looking names and every
 * value under them masked; functions, ports and other objects with behaviour shown by kind only.
 */
export function maskOptions(options: unknown, secretPaths: readonly string[]): unknown {
  const secrets = new Set(secretPaths);
  const walk = (value: unknown, path: string[], depth: number): unknown => {
    const dotted = path.join('.');
    const key = path.at(-1) ?? '';
    if (path.length > 0 && (secrets.has(dotted) || secretLike.test(key))) {
      return value === undefined || value === null ? value : MASK;
    }
    if (typeof value === 'function') return '[function]';
    if (typeof value === 'bigint') return String(value);
    if (value instanceof Date) return value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (depth > 6) return '[…]';
    if (Array.isArray(value))
      return value.slice(0, 50).map((v, i) => walk(v, [...path, String(i)], depth + 1));
    if (isRecord(value)) {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return `[${proto?.constructor?.name ?? 'object'}]`;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], depth + 1)]));
    }
    return value;
  };
  return walk(options ?? {}, [], 0);
}
