/** `{{name}}`, `{{ attributes.city }}`: the variables a template interpolates. */
const placeholderPattern = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

export interface Placeholder {
  /** The variable path, `name` or `attributes.city`. */
  variable: string;
  start: number;
  end: number;
}

export function findPlaceholders(text: string): Placeholder[] {
  return [...text.matchAll(placeholderPattern)].map((m) => ({
    variable: m[1]!,
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** The literal text between placeholders, each with its offset in the template. */
export function literalSegments(text: string): { start: number; text: string }[] {
  const segments: { start: number; text: string }[] = [];
  let from = 0;
  for (const p of findPlaceholders(text)) {
    if (p.start > from) segments.push({ start: from, text: text.slice(from, p.start) });
    from = p.end;
  }
  if (from < text.length) segments.push({ start: from, text: text.slice(from) });
  return segments;
}
