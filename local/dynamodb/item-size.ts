/**
 * An item's size as DynamoDB counts it for capacity units and storage
 * ("Item sizes and formats", DynamoDB Developer Guide): each attribute's name
 * in UTF-8 bytes plus its value; strings in UTF-8 bytes, binaries in raw
 * bytes, numbers about one byte per two significant digits plus one,
 * booleans and nulls one byte, lists and maps 3 bytes plus one byte per
 * element plus the elements (a map's keys counted as names).
 */
import type { WireItem } from './inner-calls.ts';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberBytes(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueBytes(value: Record<string, unknown>): number {
  if (typeof value.S === 'string') return utf8(value.S);
  if (typeof value.N === 'string') return numberBytes(value.N);
  if (typeof value.B === 'string') return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (Array.isArray(value.SS)) return value.SS.reduce((sum: number, text) => sum + utf8(String(text)), 0);
  if (Array.isArray(value.NS)) return value.NS.reduce((sum: number, text) => sum + numberBytes(String(text)), 0);
  if (Array.isArray(value.BS)) return value.BS.reduce((sum: number, text) => sum + Buffer.from(String(text), 'base64').length, 0);
  if (Array.isArray(value.L)) return 3 + value.L.reduce((sum: number, element) => sum + 1 + valueBytes(element as Record<string, unknown>), 0);
  if (typeof value.M === 'object' && value.M !== null) {
    const entries = Object.entries(value.M as Record<string, Record<string, unknown>>);
    return 3 + entries.reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0);
  }
  return 0;
}

/** The item's size in bytes; 0 for no item. */
export function itemBytes(item: WireItem | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

/** Write units of one write of an item this size: 1 per KB, rounded up, at least 1. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
