import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { QunfaError } from '@qunfa/core';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses webhook requests may reach. By default only public unicast ones: never
 * loopback, private (RFC 1918, unique-local), link-local (cloud metadata at 169.254.169.254),
 * carrier-grade NAT (Alibaba Cloud's metadata at 100.100.100.200), multicast, reserved or
 * addresses embedded in NAT64/6to4/Teredo prefixes.
 */
export interface WebhookAddressPolicy {
  /** CIDRs (`10.0.0.0/8`, `127.0.0.1/32`, `fd00::/8`) allowed although not public, or `*` for any. Default none. */
  allow: readonly string[];
}

export const defaultWebhookAddressPolicy: WebhookAddressPolicy = { allow: [] };

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses the allow-list once; a malformed entry is a configuration error. */
export function parseAllowList(allow: readonly string[]): 'any' | [Address, number][] {
  if (allow.includes('*')) return 'any';
  return allow.map((entry) => {
    try {
      return entry.includes('/')
        ? ipaddr.parseCIDR(entry)
        : (() => {
            const address = ipaddr.parse(entry);
            return [address, address.kind() === 'ipv4' ? 32 : 128] as [Address, number];
          })();
    } catch {
      throw new QunfaError(
        'INVALID_INPUT',
        `webhook address allow-list: "${entry}" is not an IP address or CIDR`,
        {
          details: { field: 'allow', entry },
        },
      );
    }
  });
}

/** The entries, once each is known to parse (else INVALID_INPUT naming it). */
export function checkedAllowList(entries: string[]): string[] {
  parseAllowList(entries);
  return entries;
}

/** Why an address may not be reached, or undefined when it may. */
export function forbiddenReason(ip: string, allow: ReturnType<typeof parseAllowList>): string | undefined {
  if (!ipaddr.isValid(ip)) return 'not an IP address';
  const address = ipaddr.process(ip);
  const range = address.range();
  if (range === 'unicast') return undefined;
  if (allow === 'any') return undefined;
  if (allow.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits)))
    return undefined;
  return `${ip} is ${range}`;
}

const forbidden = (host: string, reason: string) =>
  new QunfaError('WEBHOOK_URL_FORBIDDEN', `webhook URL host ${host} is not a public address (${reason})`, {
    details: { field: 'url', host },
  });

const resolveAll = (host: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/** A URL's host without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * At registration: every address the URL's host resolves to now must be allowed, else
 * WEBHOOK_URL_FORBIDDEN; a host that does not resolve is INVALID_INPUT. Delivery checks again
 * (`guardedLookup`), since DNS may answer differently later.
 */
export async function checkWebhookUrl(url: string, policy: WebhookAddressPolicy): Promise<void> {
  const allow = parseAllowList(policy.allow);
  const host = hostOf(new URL(url));
  const addresses = isIP(host)
    ? [host]
    : await resolveAll(host).then(
        (found) => found.map((a) => a.address),
        (error: NodeJS.ErrnoException) => {
          throw new QunfaError('INVALID_INPUT', `webhook URL host ${host} does not resolve (${error.code})`, {
            details: { field: 'url', host },
          });
        },
      );
  for (const address of addresses) {
    const reason = forbiddenReason(address, allow);
    if (reason) throw forbidden(host, reason);
  }
}

/**
 * A `lookup` for `http.request` that resolves the host and refuses it if any answer is not
 * allowed: the socket then connects to the very address checked, so a DNS answer that changes
 * between a check and the connection (rebinding) cannot slip through. An IP literal never
 * reaches a lookup: check it with `literalForbidden` first.
 */
export function guardedLookup(policy: WebhookAddressPolicy) {
  const allow = parseAllowList(policy.allow);
  return (
    host: string,
    options: { all?: boolean; family?: number | string },
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    resolveAll(host).then(
      (found) => {
        const bad = found.map((a) => forbiddenReason(a.address, allow)).find((r) => r !== undefined);
        if (bad) return callback(forbidden(host, bad) as unknown as NodeJS.ErrnoException, '');
        const usable = options.family ? found.filter((a) => a.family === Number(options.family)) : found;
        if (usable.length === 0) {
          const error = Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
          return callback(error, '');
        }
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/** For a URL whose host is an IP literal: the refusal, or undefined. Hostnames go through `guardedLookup`. */
export function literalForbidden(url: URL, policy: WebhookAddressPolicy): QunfaError | undefined {
  const host = hostOf(url);
  if (!isIP(host)) return undefined;
  const reason = forbiddenReason(host, parseAllowList(policy.allow));
  return reason ? forbidden(host, reason) : undefined;
}
