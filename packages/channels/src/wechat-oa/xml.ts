import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  processEntities: true,
  htmlEntities: false,
  trimValues: true,
});

/** An XML element as parsed: text, nested elements, or repeated ones. */
export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/**
 * The `<xml>` root of a WeChat push, or undefined when the body is not one. Bodies with a
 * document type are refused outright (WeChat never sends one; entity tricks start there).
 */
export function parseWechatXml(body: string): XmlObject | undefined {
  if (body.length > 1_000_000 || /<!DOCTYPE|<!ENTITY/i.test(body)) return undefined;
  let parsed: unknown;
  try {
    parsed = parser.parse(body, true);
  } catch {
    return undefined;
  }
  const root = (parsed as { xml?: unknown } | undefined)?.xml;
  return root && typeof root === 'object' && !Array.isArray(root) ? (root as XmlObject) : undefined;
}

/** A field as text ('' when absent or not text). */
export function text(node: XmlObject | undefined, name: string): string {
  const value = node?.[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A nested element (the first one when repeated). */
export function child(node: XmlObject | undefined, name: string): XmlObject | undefined {
  const value = node?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === 'object' && !Array.isArray(first) ? first : undefined;
}

/** Repeated elements as a list (one element, or none, included). */
export function list(node: XmlObject | undefined, name: string): XmlObject[] {
  const value = node?.[name];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.filter((v): v is XmlObject => typeof v === 'object' && v !== null && !Array.isArray(v));
}

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** A flat `<xml>` document, strings in CDATA and numbers bare, as WeChat writes them. */
export function buildWechatXml(fields: Record<string, string | number>): string {
  const inner = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`)
    .join('');
  return `<xml>${inner}</xml>`;
}
