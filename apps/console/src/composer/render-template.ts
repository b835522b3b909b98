/** A sample contact's values for `{{name}}` and `{{attributes.<key>}}`. */
export interface SampleContact {
  name: string | null;
  attributes: unknown;
}

/** The text as `contact` would get it; an unknown variable stays visible as `{{…}}`. */
export function renderTemplate(text: string, contact: SampleContact): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, path: string) => {
    if (path === 'name') return contact.name ?? whole;
    if (
      path.startsWith('attributes.') &&
      typeof contact.attributes === 'object' &&
      contact.attributes !== null
    ) {
      const value = (contact.attributes as Record<string, unknown>)[path.slice('attributes.'.length)];
      return value === undefined || value === null ? whole : String(value);
    }
    return whole;
  });
}

/** Attribute keys of the sample contacts, for the variable buttons. */
export function attributeKeys(contacts: readonly SampleContact[]): string[] {
  const keys = new Set<string>();
  for (const c of contacts) {
    if (typeof c.attributes === 'object' && c.attributes !== null)
      for (const k of Object.keys(c.attributes)) keys.add(k);
  }
  return [...keys].sort();
}
