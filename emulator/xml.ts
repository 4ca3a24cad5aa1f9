// Minimal XML writing for the query, EC2 and S3 protocols, plus parsing via fast-xml-parser.
import { XMLParser } from 'fast-xml-parser';

/** Serialise as a map: <entry><key>k</key><value>v</value></entry> (awsQuery maps, e.g. IAM SummaryMap). */
export class XmlMap {
  constructor(readonly entries: Record<string, unknown>) {}
}

/** A list whose members are wrapped in <memberName> (overrides the protocol's default list style). */
export class XmlList {
  constructor(
    readonly items: unknown[],
    readonly memberName: string,
  ) {}
}

/** Raw, already-escaped XML inserted verbatim. */
export class XmlRaw {
  constructor(readonly xml: string) {}
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * How plain arrays are written:
 * - 'member' (awsQuery): <Key><member>…</member></Key>
 * - 'item'   (ec2Query): <key><item>…</item></key>
 * - 'flat'   (restXml default): <Key>…</Key><Key>…</Key>
 */
export type ListStyle = 'member' | 'item' | 'flat';

function scalar(v: unknown): string {
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return escapeXml(String(v));
}

/** Serialise the members of an object (no enclosing element). */
export function xmlBody(value: unknown, style: ListStyle): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlRaw) return value.xml;
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${xmlBody(v, style)}</value></entry>`)
      .join('');
  }
  if (value instanceof XmlList) return value.items.map((i) => element(value.memberName, i, style)).join('');
  if (Array.isArray(value)) {
    const member = style === 'item' ? 'item' : 'member';
    return value.map((i) => element(member, i, style)).join('');
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) =>
        Array.isArray(v) && style === 'flat' ? v.map((i) => element(k, i, style)).join('') : element(k, v, style),
      )
      .join('');
  }
  return scalar(value);
}

export function element(name: string, value: unknown, style: ListStyle): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${xmlBody(value, style)}</${name}>`;
}

/** A complete document: `<?xml …?><Root xmlns="…">…</Root>`. */
export function xmlDocument(root: string, value: unknown, opts: { xmlns?: string; style?: ListStyle } = {}): string {
  const ns = opts.xmlns ? ` xmlns="${opts.xmlns}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${xmlBody(value, opts.style ?? 'flat')}</${root}>`;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, removeNSPrefix: true });

/** Parse an XML body into plain objects (repeated elements become arrays; values stay strings). */
export function parseXml(body: string | Buffer): Record<string, any> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (!text.trim()) return {};
  return parser.parse(text) as Record<string, any>;
}
