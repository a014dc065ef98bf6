/**
 * The meter keys its counts by table and index names, which DynamoDB lets
 * be `__proto__` or `constructor` ([a-zA-Z0-9_.-], 3 to 255 characters):
 * such a table is counted like any other, and no object of the process
 * gains its counters.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbMeter } from '../../local/dynamodb/metering.ts';

describe('Class: DynamoDbMeter', () => {
  it('counts a table and an index named __proto__ as their own, leaving every other object alone', () => {
    // Prepare
    const meter = new DynamoDbMeter();
    const schema = { keyNames: ['pk'], indexes: [{ name: '__proto__', keyNames: ['gsi'], projectionType: 'ALL', nonKeyAttributes: [] }] };

    // Act
    meter.wrote({ tableName: '__proto__', after: { pk: { S: 'a' }, gsi: { S: 'b' } }, transactional: false, conditionFailed: false, schema });
    meter.read({ tableName: 'constructor', readUnits: 1 });
    meter.read({ tableName: '__proto__', indexName: '__proto__', readUnits: 0.5 });
    const usage = meter.usage();

    // Assess
    expect(({} as Record<string, unknown>).writes).toBeUndefined();
    expect(({} as Record<string, unknown>).writeUnits).toBeUndefined();
    expect(Object.getOwnPropertyNames(usage.tables).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(usage.tables, '__proto__')?.value).toMatchObject({ writes: 1, writeUnits: 1 });
    expect(Object.getOwnPropertyDescriptor(usage.tables, 'constructor')?.value).toMatchObject({ readUnits: 1, writes: 0 });
    expect(Object.getOwnPropertyDescriptor(Object.getOwnPropertyDescriptor(usage.tables, '__proto__')?.value.indexes, '__proto__')?.value).toMatchObject({ writeUnits: 1, readUnits: 0.5 });
  });
});
