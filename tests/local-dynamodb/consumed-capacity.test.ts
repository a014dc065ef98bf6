import { describe, expect, it } from 'vitest';
import { splitConsumedCapacity, withConsumedCapacity } from '../../local/dynamodb/consumed-capacity.ts';

const capacity = { CapacityUnits: 1.5, TableName: 'images', Table: { CapacityUnits: 1.5 } };
const answer = (output: object) => JSON.stringify({ ...output, ConsumedCapacity: capacity });

describe('Function: splitConsumedCapacity', () => {
  it('cuts ConsumedCapacity off the end of a page, items untouched', () => {
    // An item attribute of the same name, and a string holding the member's text, come before the real member.
    const page = { Items: [{ ConsumedCapacity: { S: '"ConsumedCapacity":{}' } }], Count: 1, ScannedCount: 1 };
    const split = splitConsumedCapacity(answer(page));
    expect(split?.consumedCapacity).toEqual(capacity);
    expect(JSON.parse(withConsumedCapacity(split!.rest, undefined))).toEqual(page);
    expect(JSON.parse(withConsumedCapacity(split!.rest, { CapacityUnits: 1.5, TableName: 'images' }))).toEqual({ ...page, ConsumedCapacity: { CapacityUnits: 1.5, TableName: 'images' } });
  });

  it('handles an answer with nothing but ConsumedCapacity (GetItem of no item)', () => {
    const split = splitConsumedCapacity(answer({}));
    expect(split).toEqual({ rest: '{', consumedCapacity: capacity });
    expect(withConsumedCapacity('{', undefined)).toBe('{}');
    expect(JSON.parse(withConsumedCapacity('{', [capacity]))).toEqual({ ConsumedCapacity: [capacity] });
  });

  it('declines answers where ConsumedCapacity is not the last member, or absent', () => {
    expect(splitConsumedCapacity(JSON.stringify({ ConsumedCapacity: capacity, Items: [] }))).toBeUndefined();
    expect(splitConsumedCapacity(JSON.stringify({ Item: { a: { S: '1' }, ConsumedCapacity: { S: 'x' } } }))).toBeUndefined();
    expect(splitConsumedCapacity(JSON.stringify({ Items: [] }))).toBeUndefined();
  });
});
