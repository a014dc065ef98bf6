/**
 * DynamoDB's item size and capacity-unit arithmetic, as AWS documents it
 * ("DynamoDB item sizes and formats"; "Read/write capacity units"), for the
 * cost model in api/table.ts and its tests. Items are the plain values the
 * document client marshals: strings, numbers, booleans, null, arrays (List),
 * plain objects (Map), Sets (SS/NS) and byte arrays (B).
 *
 * @example
 * writeUnits(itemBytes({ pk: 'IMAGE#1', sk: 'IMAGE' })); // 1
 */

/**
 * Bytes of a string as UTF-8 (as TextEncoder writes it: a lone surrogate is
 * U+FFFD, 3 bytes), counted from its UTF-16 code units without encoding it:
 * the local DynamoDB sizes every item it meters.
 */
export function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
      continue;
    }
    const isPair = unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00;
    // A pair is 2 units and 4 bytes; anything else here is 1 unit and 3 bytes.
    bytes += 2;
    if (isPair) index += 1;
  }
  return bytes;
}

/** A number: 1 byte per two significant digits (leading and trailing zeroes trimmed), plus 1. */
export function numberBytes(value: number): number {
  const digits = Math.abs(value)
    .toExponential()
    .split('e')[0]!
    .replace('.', '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** The size of one attribute value, without its name. */
export function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') return numberBytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...(value as Set<unknown>)].reduce<number>((sum, element) => sum + valueBytes(element), 0);
  // List or Map: 3 bytes, plus each element and 1 byte per element (a Map's elements are named).
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + valueBytes(element) + 1, 0);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, element]) => element !== undefined);
  return 3 + entries.reduce((sum, [name, element]) => sum + utf8Bytes(name) + valueBytes(element) + 1, 0);
}

/** An item's size: the UTF-8 bytes of each attribute name plus its value. */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .reduce((sum, [name, value]) => sum + utf8Bytes(name) + valueBytes(value), 0);
}

/** Write units of one item write: 1 per started KB, at least 1. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Read units of a strongly consistent read of this many bytes: 1 per started 4 KB, at least 1 (half when eventually consistent). */
export const readUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));
