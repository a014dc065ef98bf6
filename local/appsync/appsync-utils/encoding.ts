/**
 * String encodings of util.*: base64, form URL encoding, JavaScript escaping,
 * and the id generators. Plain JavaScript only (no TextEncoder, atob/btoa or
 * crypto globals): this runtime runs inside the resolver sandbox's bare vm
 * context (local/appsync/resolvers/sandbox.ts), where only ECMAScript
 * built-ins exist; randomness comes from entropy.ts.
 */
import { randomBytes } from './entropy.ts';

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0xfffd;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return bytes;
}

/** Decodes UTF-8; an invalid sequence becomes U+FFFD, as TextDecoder does. */
function utf8Text(bytes: readonly number[]): string {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i];
    const length = first < 0x80 ? 1 : first >= 0xf0 && first < 0xf8 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 0;
    const tail = bytes.slice(i + 1, i + length);
    if (length === 0 || tail.length !== length - 1 || tail.some((byte) => (byte & 0xc0) !== 0x80)) {
      text += '\ufffd';
      i += 1;
      continue;
    }
    const code =
      length === 1 ? first : tail.reduce((value, byte) => (value << 6) | (byte & 0x3f), first & (0xff >> (length + 1)));
    text += String.fromCodePoint(code);
    i += length;
  }
  return text;
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(text: string): string {
  const bytes = utf8Bytes(text);
  let encoded = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    encoded += base64Alphabet[(chunk >> 18) & 63] + base64Alphabet[(chunk >> 12) & 63];
    encoded += i + 1 < bytes.length ? base64Alphabet[(chunk >> 6) & 63] : '=';
    encoded += i + 2 < bytes.length ? base64Alphabet[chunk & 63] : '=';
  }
  return encoded;
}

export function base64Decode(encoded: string): string {
  const clean = encoded.replace(/[\s=]+/g, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = base64Alphabet.indexOf(char);
    if (value < 0) throw new Error(`Illegal base64 character '${char}'`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return utf8Text(bytes);
}

/** application/x-www-form-urlencoded, as Java's URLEncoder writes it. */
export function urlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export function urlDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

const javaScriptEscapes: Record<string, string> = {
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\n': '\\n',
  '\t': '\\t',
  '\f': '\\f',
  '\r': '\\r',
};

/** Escapes like Apache Commons' escapeEcmaScript, which AppSync's util uses. */
export function escapeJavaScript(text: string): string {
  let escaped = '';
  for (const char of text) {
    const known = javaScriptEscapes[char];
    if (known) {
      escaped += known;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e) {
      // Outside printable ASCII: \uXXXX per UTF-16 unit.
      for (let i = 0; i < char.length; i++) {
        escaped += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
      }
    } else {
      escaped += char;
    }
  }
  return escaped;
}

const hex = (bytes: readonly number[]) => bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** A version 4 UUID, as util.autoId() makes. */
export function autoId(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const digits = hex(bytes);
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26-character ULID: 48-bit millisecond time, then 80 random bits. */
export function autoUlid(now: number = Date.now()): string {
  let time = '';
  let remaining = now;
  for (let i = 0; i < 10; i++) {
    time = crockford[remaining % 32] + time;
    remaining = Math.floor(remaining / 32);
  }
  let random = '';
  for (const byte of randomBytes(16)) random += crockford[byte % 32];
  return time + random;
}

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ksuidEpochSeconds = 1_400_000_000;

/** 27-character KSUID: 32-bit seconds since the KSUID epoch and 128 random bits, base62. */
export function autoKsuid(now: number = Date.now()): string {
  const seconds = (Math.floor(now / 1000) - ksuidEpochSeconds) >>> 0;
  const bytes = [(seconds >>> 24) & 0xff, (seconds >>> 16) & 0xff, (seconds >>> 8) & 0xff, seconds & 0xff, ...randomBytes(16)];
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let encoded = '';
  while (value > 0n) {
    encoded = base62[Number(value % 62n)] + encoded;
    value /= 62n;
  }
  return encoded.padStart(27, '0');
}
