import type { ContactIdentity } from '@qunfa/core';

const emailAddress = /^[^\s@<>"(),;:\\[\]]+@[^\s@<>"(),;:\\[\]]+\.[^\s@<>"(),;:\\[\]]+$/;

/** Whether a string is a plain e-mail address (no display name, no list). */
export const isEmailAddress = (value: string) => emailAddress.test(value);

/** The contact's e-mail address, when it is one. */
export function addressEmail(identities: ContactIdentity[]): string | undefined {
  return identities.find((i) => i.kind === 'email' && isEmailAddress(i.value.trim()))?.value.trim();
}
