/**
 * util.dynamodb: plain values to DynamoDB typed values. As documented, it is
 * opinionated: arrays become lists (L), never sets; undefined map entries are
 * left out (they have no JSON form).
 */
import type { Util } from '@aws-appsync/utils';

type DynamodbUtil = Util['dynamodb'];

export type AttributeValueJson = Record<string, unknown>;

export function toDynamoDB(value: unknown): AttributeValueJson | null {
  if (value === undefined) return null;
  if (value === null) return { NULL: null };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map((element) => toDynamoDB(element) ?? { NULL: null }) };
  if (typeof value === 'object') return { M: toMapValues(value as Record<string, unknown>) };
  throw new TypeError(`Cannot convert a ${typeof value} to a DynamoDB attribute value`);
}

export function toMapValues(map: Record<string, unknown>): Record<string, AttributeValueJson> {
  const values: Record<string, AttributeValueJson> = {};
  for (const [name, value] of Object.entries(map)) {
    const converted = toDynamoDB(value);
    if (converted) values[name] = converted;
  }
  return values;
}

const orNull = <T, R>(value: T | null | undefined, convert: (present: T) => R): R | null =>
  value === null || value === undefined ? null : convert(value);

function toS3Object(key: string, bucket: string, region: string, version?: string) {
  const s3 = version === undefined ? { key, bucket, region } : { key, bucket, region, version };
  return { S: JSON.stringify({ s3 }) };
}

// The declared return types are mapped types the runtime cannot express; the
// values are the documented shapes.
export const dynamodb = {
  toDynamoDB,
  toString: (value: string | null | undefined) => orNull(value, (text) => ({ S: text })),
  toStringSet: (list: string[] | null | undefined) => orNull(list, (texts) => ({ SS: [...texts] })),
  toNumber: (value: number | null | undefined) => orNull(value, (num) => ({ N: String(num) })),
  toNumberSet: (list: number[] | null | undefined) => orNull(list, (nums) => ({ NS: nums.map(String) })),
  toBinary: (value: string | null | undefined) => orNull(value, (base64) => ({ B: base64 })),
  toBinarySet: (list: string[] | null | undefined) => orNull(list, (values) => ({ BS: [...values] })),
  toBoolean: (value: boolean | null | undefined) => orNull(value, (flag) => ({ BOOL: flag })),
  toNull: () => ({ NULL: null }),
  toList: (value: unknown) => (Array.isArray(value) ? toDynamoDB(value) : null),
  toMap: (value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? toDynamoDB(value) : null,
  toMapValues: (value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? toMapValues(value as Record<string, unknown>)
      : null,
  toS3Object,
  fromS3ObjectJson: (s3ObjectString: string) => (JSON.parse(s3ObjectString) as { s3: unknown }).s3,
} as unknown as DynamodbUtil;
