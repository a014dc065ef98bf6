/** util.math, util.str, util.http and util.xml. */
import type { Util } from '@aws-appsync/utils';
import { currentInvocation } from './invocation.ts';

type HttpUtils = Util['http'];
type MathUtils = Util['math'];
type StringUtils = Util['str'];
type XmlUtils = Util['xml'];

export const math: MathUtils = {
  roundNum: (input) => Math.round(input),
  minVal: (first, second) => Math.min(first, second),
  maxVal: (first, second) => Math.max(first, second),
  randomDouble: () => Math.random(),
  randomWithinRange: (start, end) => start + Math.floor(Math.random() * (end - start + 1)),
};

export const str: StringUtils = {
  normalize: (value, form) => value.normalize(form.toUpperCase() as 'NFC' | 'NFD' | 'NFKC' | 'NFKD'),
};

/** Headers AppSync never forwards with util.http.copyHeaders. */
const restrictedHeaders = new Set([
  'authorization', 'connection', 'content-length', 'expect', 'host', 'keep-alive', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-api-key', 'x-amz-date', 'x-amz-security-token',
]);

function addResponseHeader(name: string, value: unknown): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('x-amzn-') || lower.startsWith('x-amz-')) {
    throw new Error(`Response header ${name} uses a restricted prefix`);
  }
  currentInvocation().responseHeaders[name] = value;
}

export const http: HttpUtils = {
  copyHeaders: (headers) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !restrictedHeaders.has(name.toLowerCase()))),
  addResponseHeader,
  addResponseHeaders: (headers) => {
    for (const [name, value] of Object.entries(headers)) addResponseHeader(name, value);
  },
};

type XmlValue = string | number | boolean | null | XmlMap | XmlValue[];
interface XmlMap {
  [name: string]: XmlValue;
}

function scalar(text: string): XmlValue {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return decodeEntities(trimmed);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

/** A small XML reader: elements to maps, repeated elements to lists, attributes ignored. */
function xmlToMap(xml: string): XmlMap | null {
  const body = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)[^>]*?(\/?)>/g;
  const stack: { name: string; children: XmlMap; text: string; hasChildren: boolean }[] = [
    { name: '', children: {}, text: '', hasChildren: false },
  ];
  let last = 0;
  for (let match = tag.exec(body); match; match = tag.exec(body)) {
    stack[stack.length - 1].text += body.slice(last, match.index);
    last = tag.lastIndex;
    const [, closing, name, selfClosing] = match;
    if (!closing) stack.push({ name, children: {}, text: '', hasChildren: false });
    if (closing || selfClosing) {
      const done = stack.pop();
      const parent = stack[stack.length - 1];
      if (!done || !parent || done.name !== name) return null;
      const value: XmlValue = done.hasChildren ? done.children : done.text.trim() === '' ? null : scalar(done.text);
      const existing = parent.children[name];
      parent.children[name] =
        existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      parent.hasChildren = true;
    }
  }
  return stack.length === 1 ? stack[0].children : null;
}

export const xml: XmlUtils = {
  toMap: xmlToMap,
  toJsonString: (text: string, stringEncode?: boolean) => {
    const json = JSON.stringify(xmlToMap(text));
    return stringEncode ? JSON.stringify(json) : json;
  },
};
