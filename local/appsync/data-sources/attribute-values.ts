/**
 * Between the DynamoDB JSON resolvers write (util.dynamodb, numbers as
 * strings or numbers, NULL: null, binaries in base64) and the attribute
 * values of DynamoDB's wire JSON; and from stored items to the plain JSON
 * AppSync hands to response handlers (numbers as numbers, binaries as
 * base64, sets as lists).
 */
import type { AttributeValue, Item } from './dynamodb-wire.ts';
import { InvalidRequestError } from '../errors.ts';

type JsonAttribute = Record<string, unknown>;

/** Base64 as DynamoDB reads it back: what does not decode is dropped, as the SDK did with the bytes. */
const base64 = (value: unknown) => Buffer.from(String(value), 'base64').toString('base64');

export function toWireValue(json: unknown): AttributeValue {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidRequestError(`Expected a DynamoDB typed value such as { "S": "text" }, got ${JSON.stringify(json)}`);
  }
  const entries = Object.entries(json as JsonAttribute);
  if (entries.length !== 1) {
    throw new InvalidRequestError(`A DynamoDB typed value has exactly one type key, got ${JSON.stringify(json)}`);
  }
  const [type, value] = entries[0];
  switch (type) {
    case 'S': return { S: String(value) };
    case 'N': return { N: String(value) };
    case 'BOOL': return { BOOL: Boolean(value) };
    case 'NULL': return { NULL: true };
    case 'B': return { B: base64(value) };
    case 'SS': return { SS: (value as unknown[]).map(String) };
    case 'NS': return { NS: (value as unknown[]).map(String) };
    case 'BS': return { BS: (value as unknown[]).map(base64) };
    case 'L': return { L: (value as unknown[]).map(toWireValue) };
    case 'M': return { M: toWireMap(value as Record<string, unknown>) };
    default: throw new InvalidRequestError(`Unknown DynamoDB type "${type}"`);
  }
}

export function toWireMap(json: Record<string, unknown> | undefined): Item {
  const map: Item = {};
  for (const [name, value] of Object.entries(json ?? {})) map[name] = toWireValue(value);
  return map;
}

export function toPlainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return value.B;
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return [...value.BS];
  if (value.L !== undefined) return value.L.map(toPlainValue);
  if (value.M !== undefined) return toPlainItem(value.M);
  return null;
}

export function toPlainItem(item: Readonly<Record<string, AttributeValue>>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const name in item) plain[name] = toPlainValue(item[name]);
  return plain;
}
