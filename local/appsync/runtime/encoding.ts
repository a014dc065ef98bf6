/**
 * String encodings of util.*: base64, form URL encoding, JavaScript escaping,
 * and the id generators. Web APIs only (no node: imports): this file is
 * bundled into resolvers with esbuild's neutral platform.
 */

export function base64Encode(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function base64Decode(encoded: string): string {
  const binary = atob(encoded);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
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

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

export function autoId(): string {
  return crypto.randomUUID();
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
  const bytes = new Uint8Array(20);
  const seconds = Math.floor(now / 1000) - ksuidEpochSeconds;
  new DataView(bytes.buffer).setUint32(0, seconds >>> 0);
  bytes.set(randomBytes(16), 4);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let encoded = '';
  while (value > 0n) {
    encoded = base62[Number(value % 62n)] + encoded;
    value /= 62n;
  }
  return encoded.padStart(27, '0');
}
