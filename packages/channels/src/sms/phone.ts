import type { ContactIdentity } from '@qunfa/core';

/**
 * A recipient number as the Chinese SMS providers take it: a mainland mobile (`+86`, `0086`,
 * `86` or no prefix) becomes its 11 digits; another country keeps its code (`+852…` → `852…`).
 * Undefined for anything that is not a plausible mobile number, so it fails before any call.
 */
export function normalisePhone(address: string): { national: string; e164: string } | undefined {
  const compact = address.replace(/[\s-]/g, '');
  const mainland = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/.exec(compact);
  if (mainland) return { national: mainland[1]!, e164: `+86${mainland[1]}` };
  const foreign = /^(?:\+|00)([1-9]\d{6,14})$/.exec(compact);
  if (foreign && !foreign[1]!.startsWith('86')) return { national: foreign[1]!, e164: `+${foreign[1]}` };
  return undefined;
}

/** The last four digits only, for errors and logs (`****1234`). */
export function maskPhone(phone: string): string {
  return `****${phone.slice(-4)}`;
}

/** A contact's first plausible mobile number, in E.164; undefined when it has none. */
export function addressPhone(identities: ContactIdentity[]): string | undefined {
  for (const identity of identities) {
    if (identity.kind !== 'phone' || identity.value === '') continue;
    const phone = normalisePhone(identity.value);
    if (phone) return phone.e164;
  }
  return undefined;
}
