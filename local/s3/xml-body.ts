/**
 * The XML bodies the local S3 reads itself (DeleteObjects, CompleteMultipartUpload's part numbers), read once, the
 * way S3 reads them: no value trimmed or turned into a number (`<Key> 007 </Key>` is the key ` 007 `), a tag's
 * spacing (`<Key >`) and attributes ignored, XML's five named entities and character references decoded, any other
 * entity (a DTD's, HTML's `&nbsp;`) refused as S3 refuses it. IAM and storage are handed the same reading, so they
 * cannot disagree on what a body names (s3rver's own parser, fast-xml-parser 3 with `he`, trims values and turns
 * numeric text into numbers).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { s3Error, type S3Error } from './errors.ts';

/** S3's answer to a body that is no XML, or not the document the operation takes. */
export const malformedXml = (): S3Error =>
  s3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // Entities are decoded below, strictly: the parser's own decoding leaves character references as they are.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  isArray: (_name, path) => path === 'Delete.Object' || path === 'CompleteMultipartUpload.Part',
});

/** The parsed document (elements as objects, text as strings); undefined when the body is no well-formed UTF-8 XML. */
export function parseXmlBody(body: Buffer): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
  if (XMLValidator.validate(text) !== true) return undefined;
  try {
    return asElement(parser.parse(text));
  } catch {
    return undefined;
  }
}

/** An element with children, or undefined for text, a list or nothing. */
export function asElement(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const named: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const entity = /&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9a-fA-F]+));/g;

/** An element's text with its entities decoded; undefined when it holds other elements, CDATA or an entity XML does not define. */
export function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.replace(entity, '').includes('&')) return undefined;
  try {
    return value.replace(entity, (_whole, name?: string, decimal?: string, hex?: string) =>
      name ? named[name] : String.fromCodePoint(decimal ? Number(decimal) : parseInt(hex!, 16)),
    );
  } catch {
    // A character reference past U+10FFFF.
    return undefined;
  }
}

/** Whether the element's value is text in a CDATA section (which this reader does not take). */
export const isCdata = (value: unknown): boolean => asElement(value)?.['#cdata'] !== undefined;
