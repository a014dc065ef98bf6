/**
 * Batch operations of the DYNAMODB data source. Batch requests name real
 * table names; results come back per table, in the order asked, as AppSync
 * returns them.
 */
import { toPlainItem, toWireMap } from './attribute-values.ts';
import { ExpressionCollector, projectionInput, type ExpressionJson } from './dynamodb-expressions.ts';
import type { DynamoDbJsonClient, Item } from './dynamodb-wire.ts';
import { InvalidRequestError } from '../errors.ts';
import type { DataSourceOutcome } from './types.ts';

type Json = Record<string, unknown>;

/** The parts of DynamoDB's answers read here. */
interface BatchGetOutput {
  readonly Responses?: Record<string, Item[]>;
  readonly UnprocessedKeys?: Record<string, { readonly Keys?: Item[] }>;
}
interface BatchWriteOutput {
  readonly UnprocessedItems?: Record<string, { readonly PutRequest?: { readonly Item?: Item }; readonly DeleteRequest?: { readonly Key?: Item } }[]>;
}

function requireTables(request: Json): Json {
  const tables = request.tables;
  if (tables === null || typeof tables !== 'object' || Array.isArray(tables)) {
    throw new InvalidRequestError(`${String(request.operation)} requires "tables"`);
  }
  return tables as Json;
}

export async function batchGetItem(client: DynamoDbJsonClient, request: Json): Promise<DataSourceOutcome> {
  const tables = requireTables(request) as Record<string, { keys: Json[]; consistentRead?: boolean; projection?: ExpressionJson }>;
  const requestItems = Object.fromEntries(
    Object.entries(tables).map(([table, spec]) => {
      const collector = new ExpressionCollector();
      const projection = projectionInput(collector, spec.projection);
      return [table, { Keys: spec.keys.map((key) => toWireMap(key)), ConsistentRead: spec.consistentRead, ...projection, ...(projection.ProjectionExpression ? { ExpressionAttributeNames: collector.input().ExpressionAttributeNames } : {}) }];
    }),
  );
  const output = await client.call<BatchGetOutput>('BatchGetItem', { RequestItems: requestItems });
  const data: Record<string, unknown[]> = {};
  const unprocessedKeys: Record<string, unknown[]> = {};
  for (const [table, spec] of Object.entries(tables)) {
    const found = (output.Responses?.[table] ?? []).map(toPlainItem);
    const unprocessed = (output.UnprocessedKeys?.[table]?.Keys ?? []).map(toPlainItem);
    // In the order of the keys asked for; null where nothing was found or it was left unprocessed.
    data[table] = spec.keys.map((key) => {
      const wanted = toPlainItem(toWireMap(key));
      return found.find((item) => Object.entries(wanted).every(([name, value]) => item[name] === value)) ?? null;
    });
    unprocessedKeys[table] = unprocessed;
  }
  return { result: { data, unprocessedKeys } };
}

export async function batchWrite(client: DynamoDbJsonClient, request: Json, kind: 'put' | 'delete'): Promise<DataSourceOutcome> {
  const tables = requireTables(request) as Record<string, Json[]>;
  const requestItems = Object.fromEntries(
    Object.entries(tables).map(([table, entries]) => [
      table,
      entries.map((entry) =>
        kind === 'put' ? { PutRequest: { Item: toWireMap(entry) } } : { DeleteRequest: { Key: toWireMap(entry) } },
      ),
    ]),
  );
  const output = await client.call<BatchWriteOutput>('BatchWriteItem', { RequestItems: requestItems });
  const data: Record<string, unknown[]> = {};
  const unprocessed: Record<string, unknown[]> = {};
  for (const [table, entries] of Object.entries(tables)) {
    data[table] = entries.map((entry) => toPlainItem(toWireMap(entry)));
    unprocessed[table] = (output.UnprocessedItems?.[table] ?? []).map((left) =>
      toPlainItem((kind === 'put' ? left.PutRequest?.Item : left.DeleteRequest?.Key) ?? {}),
    );
  }
  return { result: kind === 'put' ? { data, unprocessedItems: unprocessed } : { data, unprocessedKeys: unprocessed } };
}
