/**
 * An item's size as DynamoDB counts it, for an item in DynamoDB's JSON wire
 * format: each wire value is sized by the rules of api/item-size.ts ("Item sizes
 * and formats"), walked in place rather than converted to plain values
 * first: the meter sizes every item written, before and after.
 */
import { numberBytes, utf8Bytes, valueBytes } from '../../api/item-size.ts';
import type { WireItem } from './inner-calls.ts';

export { writeUnits } from '../../api/item-size.ts';

const bytesOf = (base64: unknown) => new Uint8Array(Buffer.from(String(base64), 'base64'));

/**
 * A wire value's size (`{ S }`, `{ N }`, `{ L }`, …), without its name, as
 * api/item-size.ts sizes the plain value it stands for, walked directly
 * (sets through their plain Set, as duplicates count once there).
 * Undefined for a value of no known type, which api/item-size.ts leaves out
 * of a Map or an item and sizes as 1 in a List.
 */
function wireValueBytes(value: Record<string, unknown>): number | undefined {
  if (typeof value.S === 'string') return utf8Bytes(value.S);
  if (typeof value.N === 'string') return numberBytes(Number(value.N));
  if (typeof value.B === 'string') return bytesOf(value.B).byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (Array.isArray(value.SS)) return valueBytes(new Set(value.SS.map(String)));
  if (Array.isArray(value.NS)) return valueBytes(new Set(value.NS.map(Number)));
  if (Array.isArray(value.BS)) return valueBytes(new Set(value.BS.map(bytesOf)));
  if (Array.isArray(value.L)) {
    let bytes = 3;
    for (const element of value.L) bytes += (wireValueBytes(element as Record<string, unknown>) ?? 1) + 1;
    return bytes;
  }
  if (typeof value.M === 'object' && value.M !== null) return 3 + namedValuesBytes(value.M as Record<string, Record<string, unknown>>, 1);
  return undefined;
}

/** Each named value's name and size, plus `perElement` (1 in a Map, 0 in an item); values of no known type left out. */
function namedValuesBytes(values: Record<string, Record<string, unknown>>, perElement: number): number {
  let bytes = 0;
  for (const name in values) {
    const size = wireValueBytes(values[name]);
    if (size !== undefined) bytes += utf8Bytes(name) + size + perElement;
  }
  return bytes;
}

/** The item's size in bytes; 0 for no item. */
export function itemBytes(item: WireItem | undefined): number {
  return item ? namedValuesBytes(item, 0) : 0;
}
