/** Checks of request members, each failing with InvalidParameterException as Rekognition does. */
import { invalidParameter } from '../errors.ts';

export function optionalNumber(input: Record<string, unknown>, member: string, range: { min: number; max: number; integer?: boolean }): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max || (range.integer && !Number.isInteger(value))) {
    throw invalidParameter(`${member} must be ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalStringList(value: unknown, member: string, maxItems: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > maxItems || !value.every((item) => typeof item === 'string')) {
    throw invalidParameter(`${member} must be a list of at most ${maxItems} strings`);
  }
  return value as string[];
}

export function optionalRecord(value: unknown, member: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${member} must be a structure`);
  return value as Record<string, unknown>;
}
