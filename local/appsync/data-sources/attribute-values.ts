/**
 * Between the DynamoDB JSON resolvers write (util.dynamodb, numbers as
 * strings or numbers, NULL: null, binaries in base64) and the SDK's
 * AttributeValue; and from stored items to the plain JSON AppSync hands to
 * response handlers (numbers as numbers, binaries as base64, sets as lists).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidRequestError } from './errors.ts';

type JsonAttribute = Record<string, unknown>;

const fromBase64 = (value: unknown) => new Uint8Array(Buffer.from(String(value), 'base64'));

export function toSdkValue(json: unknown): AttributeValue {
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
    case 'B': return { B: fromBase64(value) };
    case 'SS': return { SS: (value as unknown[]).map(String) };
    case 'NS': return { NS: (value as unknown[]).map(String) };
    case 'BS': return { BS: (value as unknown[]).map(fromBase64) };
    case 'L': return { L: (value as unknown[]).map(toSdkValue) };
    case 'M': return { M: toSdkMap(value as Record<string, unknown>) };
    default: throw new InvalidRequestError(`Unknown DynamoDB type "${type}"`);
  }
}

export function toSdkMap(json: Record<string, unknown> | undefined): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(json ?? {})) map[name] = toSdkValue(value);
  return map;
}

export function toPlainValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map((bytes) => Buffer.from(bytes).toString('base64'));
  if (value.L !== undefined) return value.L.map(toPlainValue);
  if (value.M !== undefined) return toPlainItem(value.M);
  return null;
}

export function toPlainItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) plain[name] = toPlainValue(value);
  return plain;
}
