import { type Content, type Finding, findingLevels, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';
import shortenerList from '../../../lexicons/url-shorteners.json' with { type: 'json' };
import type { TemplateContentContext } from '../template/template-context.js';
import type { ContentRule } from './content-rule.js';
import { type FoundLink, findLinks, hostMatches } from './find-links.js';

const name = 'rule:links';
const level = z.enum(findingLevels);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/, 'a domain such as example.com');

/** The shipped list of URL-shortener hosts (packages/plugins/lexicons/url-shorteners.json). */
export const urlShorteners: readonly string[] = shortenerList.hosts;

const optionsSchema = z.object({
  /** Domains (and their subdomains) that may never be linked. Default none. */
  blockedDomains: z.array(domain).default([]),
  /** Level of a link to a blocked domain. Default `block`. */
  blockedLevel: level.default('block'),
  /**
   * Link policy per channel name: `allowLinks: false` refuses any link, `allowedDomains`
   * only those, `maxLinks` at most that many links in a message (subject included). Channels
   * not listed accept any link. Default: no policy.
   */
  channels: z
    .record(
      z.string(),
      z.object({
        allowLinks: z.boolean().default(true),
        allowedDomains: z.array(domain).optional(),
        maxLinks: z.number().int().min(0).optional(),
      }),
    )
    .default({}),
  /** Level of a link a channel's policy refuses. Default `revise`. */
  disallowedLevel: level.default('revise'),
  /** Hosts of URL shorteners. Default: the shipped list (`urlShorteners`). */
  shorteners: z.array(domain).optional(),
  /** Level of a shortened link. Default `warn`. */
  shortenerLevel: level.default('warn'),
});

export type LinksOptions = z.input<typeof optionsSchema>;

/** Judges the links in content: blocked domains, per-channel link policies, URL shorteners. */
export function links(options?: LinksOptions): ContentRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  const shorteners = opts.shorteners ?? urlShorteners;

  function judge(link: FoundLink, ctx: TemplateContentContext, where: string): Finding[] {
    const base = { rule: name, ...(where ? {} : { span: { start: link.start, end: link.end } }) };
    const at = { url: link.url, ...(where ? { part: 'subject' } : {}) };
    const blocked = opts.blockedDomains.find((d) => hostMatches(link.host, d));
    if (blocked) {
      return [
        {
          ...base,
          level: opts.blockedLevel,
          code: 'LINK_BLOCKED_DOMAIN',
          params: { ...at, domain: blocked },
          message: `${where}${link.url} links to ${blocked}, a blocked domain`,
        },
      ];
    }
    const findings: Finding[] = [];
    for (const channel of ctx.channels) {
      const policy = opts.channels[channel];
      if (!policy) continue;
      if (!policy.allowLinks) {
        findings.push({
          ...base,
          level: opts.disallowedLevel,
          code: 'LINK_NOT_ALLOWED',
          channel,
          params: at,
          message: `${where}${channel} does not allow links: ${link.url}`,
        });
      } else if (policy.allowedDomains && !policy.allowedDomains.some((d) => hostMatches(link.host, d))) {
        findings.push({
          ...base,
          level: opts.disallowedLevel,
          code: 'LINK_DOMAIN_NOT_ALLOWED',
          channel,
          params: { ...at, allowedDomains: policy.allowedDomains },
          message: `${where}${channel} only allows links to ${policy.allowedDomains.join(', ')}: ${link.url}`,
        });
      }
    }
    if (shorteners.some((d) => hostMatches(link.host, d))) {
      findings.push({
        ...base,
        level: opts.shortenerLevel,
        code: 'LINK_SHORTENER',
        params: at,
        message: `${where}${link.url} is a shortened link; link to the destination so recipients and platforms can see where it leads`,
      });
    }
    return findings;
  }

  return {
    kind: 'rule',
    name,
    checkContent(content: Content, ctx: TemplateContentContext): Finding[] {
      const found = findLinks(content.text);
      const result = found.flatMap((link) => judge(link, ctx, ''));
      const inSubject = content.subject ? findLinks(content.subject) : [];
      result.push(...inSubject.flatMap((link) => judge(link, ctx, 'Subject: ')));
      const count = found.length + inSubject.length;
      for (const channel of ctx.channels) {
        const max = opts.channels[channel]?.maxLinks;
        if (max === undefined || count <= max || opts.channels[channel]?.allowLinks === false) continue;
        const extra = found[max];
        result.push({
          rule: name,
          level: opts.disallowedLevel,
          code: 'TOO_MANY_LINKS',
          channel,
          params: { max, count },
          message: `${channel} allows ${max} link${max === 1 ? '' : 's'} in a message; this one has ${count}`,
          ...(extra ? { span: { start: extra.start, end: content.text.length } } : {}),
        });
      }
      return result;
    },
  };
}
