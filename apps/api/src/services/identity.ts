import type { ContactIdentity, IdentityKind } from '@qunfa/core';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Mainland mobile numbers, with or without +86 / 0086 / 86, spaces and dashes removed. */
const MAINLAND_MOBILE = /^(?:\+?86|0086)?(1[3-9]\d{9})$/;
const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]{2,}$/;

/**
 * libphonenumber's verdict on mainland mobiles by their first five digits: its metadata
 * allocates mobile ranges no finer than that (`1740[0-5]`, `1610x`), so one call per prefix
 * (at most 7,000) gives its exact answer for every number — including its refusals of ranges
 * that carry no SMS (144 data-only, 160 unallocated) — at a map lookup's cost.
 */
const mobilePrefixValid = new Map<string, boolean>();

function isValidMainlandMobile(national: string): boolean {
  const prefix = national.slice(0, 5);
  let valid = mobilePrefixValid.get(prefix);
  if (valid === undefined) {
    valid = parsePhoneNumberFromString(national, 'CN')?.isValid() ?? false;
    mobilePrefixValid.set(prefix, valid);
  }
  return valid;
}

/**
 * A phone number as E.164, or undefined when it is not a valid mobile or fixed number.
 * Mainland mobiles take a fast path with libphonenumber's own answer; anything else goes
 * through libphonenumber (CN default).
 */
export function normalizePhone(raw: string): string | undefined {
  const compact = raw.replace(/[\s\-()]/g, '');
  const mobile = MAINLAND_MOBILE.exec(compact);
  if (mobile) return isValidMainlandMobile(mobile[1]!) ? `+86${mobile[1]}` : undefined;
  const parsed = parsePhoneNumberFromString(compact, 'CN');
  return parsed?.isValid() ? parsed.number : undefined;
}

export function normalizeEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  return value.length <= 254 && EMAIL.test(value) ? value : undefined;
}

/** WeChat / WeCom / OA ids: printable, no spaces, at most 128 characters. */
const PLATFORM_ID = /^[\x21-\x7e]{1,128}$/;

/** The canonical value of an identity, or undefined with the identity invalid. */
export function normalizeIdentity(kind: IdentityKind, raw: string): string | undefined {
  if (kind === 'phone') return normalizePhone(raw);
  if (kind === 'email') return normalizeEmail(raw);
  const value = raw.trim();
  return PLATFORM_ID.test(value) ? value : undefined;
}

/** Why an identity was refused, for error messages and import reports. */
export function identityProblem(kind: IdentityKind): string {
  if (kind === 'phone') return 'not a mainland mobile or E.164 phone number';
  if (kind === 'email') return 'not an e-mail address';
  return 'not a valid id (printable, no spaces, at most 128 characters)';
}

/** Normalises a list; the index of the first bad one comes back instead. */
export function normalizeIdentities(
  identities: ContactIdentity[],
): { ok: ContactIdentity[] } | { bad: number } {
  const ok: ContactIdentity[] = [];
  for (const [i, identity] of identities.entries()) {
    const value = normalizeIdentity(identity.kind, identity.value);
    if (value === undefined) return { bad: i };
    if (!ok.some((o) => o.kind === identity.kind && o.value === value))
      ok.push({ kind: identity.kind, value });
  }
  return { ok };
}
