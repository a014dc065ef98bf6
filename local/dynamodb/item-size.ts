/**
 * An item's size as DynamoDB counts it, for an item in DynamoDB's JSON wire
 * format: the wire values become the plain values api/item-size.ts sizes, so
 * the size rules ("Item sizes and formats") are written once, there.
 */
import { itemBytes as plainItemBytes } from '../../api/item-size.ts';
import type { WireItem } from './inner-calls.ts';

export { writeUnits } from '../../api/item-size.ts';

const bytesOf = (base64: unknown) => new Uint8Array(Buffer.from(String(base64), 'base64'));

/** A wire value (`{ S }`, `{ N }`, `{ L }`, …) as the plain value api/item-size.ts sizes. */
function plainValue(value: Record<string, unknown>): unknown {
  if (typeof value.S === 'string') return value.S;
  if (typeof value.N === 'string') return Number(value.N);
  if (typeof value.B === 'string') return bytesOf(value.B);
  if (value.BOOL !== undefined) return Boolean(value.BOOL);
  if (value.NULL !== undefined) return null;
  if (Array.isArray(value.SS)) return new Set(value.SS.map(String));
  if (Array.isArray(value.NS)) return new Set(value.NS.map(Number));
  if (Array.isArray(value.BS)) return new Set(value.BS.map(bytesOf));
  if (Array.isArray(value.L)) return value.L.map((element) => plainValue(element as Record<string, unknown>));
  if (typeof value.M === 'object' && value.M !== null) {
    return Object.fromEntries(Object.entries(value.M as Record<string, Record<string, unknown>>).map(([name, element]) => [name, plainValue(element)]));
  }
  return undefined;
}

/** The item's size in bytes; 0 for no item. */
export function itemBytes(item: WireItem | undefined): number {
  if (!item) return 0;
  return plainItemBytes(Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plainValue(value)])));
}
