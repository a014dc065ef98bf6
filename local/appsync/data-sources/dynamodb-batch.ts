/**
 * Batch and transaction operations of the DYNAMODB data source. Batch
 * requests name real table names; results come back per table, in the order
 * asked, as AppSync returns them.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { toPlainItem, toSdkMap } from './attribute-values.ts';
import { ExpressionCollector, projectionInput, type ExpressionJson } from './dynamodb-expressions.ts';
import { InvalidRequestError } from './errors.ts';
import type { DataSourceOutcome } from './types.ts';

type Json = Record<string, unknown>;

const plainOrNull = (item: Record<string, AttributeValue> | undefined) => (item ? toPlainItem(item) : null);

function requireTables(request: Json): Json {
  const tables = request.tables;
  if (tables === null || typeof tables !== 'object' || Array.isArray(tables)) {
    throw new InvalidRequestError(`${String(request.operation)} requires "tables"`);
  }
  return tables as Json;
}

export async function batchGetItem(client: DynamoDBClient, request: Json): Promise<DataSourceOutcome> {
  const tables = requireTables(request) as Record<string, { keys: Json[]; consistentRead?: boolean; projection?: ExpressionJson }>;
  const requestItems = Object.fromEntries(
    Object.entries(tables).map(([table, spec]) => {
      const collector = new ExpressionCollector();
      const projection = projectionInput(collector, spec.projection);
      return [table, { Keys: spec.keys.map((key) => toSdkMap(key)), ConsistentRead: spec.consistentRead, ...projection, ...(projection.ProjectionExpression ? { ExpressionAttributeNames: collector.input().ExpressionAttributeNames } : {}) }];
    }),
  );
  const output = await client.send(new BatchGetItemCommand({ RequestItems: requestItems }));
  const data: Record<string, unknown[]> = {};
  const unprocessedKeys: Record<string, unknown[]> = {};
  for (const [table, spec] of Object.entries(tables)) {
    const found = (output.Responses?.[table] ?? []).map(toPlainItem);
    const unprocessed = (output.UnprocessedKeys?.[table]?.Keys ?? []).map(toPlainItem);
    // In the order of the keys asked for; null where nothing was found or it was left unprocessed.
    data[table] = spec.keys.map((key) => {
      const wanted = toPlainItem(toSdkMap(key));
      return found.find((item) => Object.entries(wanted).every(([name, value]) => item[name] === value)) ?? null;
    });
    unprocessedKeys[table] = unprocessed;
  }
  return { result: { data, unprocessedKeys } };
}

export async function batchWrite(client: DynamoDBClient, request: Json, kind: 'put' | 'delete'): Promise<DataSourceOutcome> {
  const tables = requireTables(request) as Record<string, Json[]>;
  const requestItems = Object.fromEntries(
    Object.entries(tables).map(([table, entries]) => [
      table,
      entries.map((entry) =>
        kind === 'put' ? { PutRequest: { Item: toSdkMap(entry) } } : { DeleteRequest: { Key: toSdkMap(entry) } },
      ),
    ]),
  );
  const output = await client.send(new BatchWriteItemCommand({ RequestItems: requestItems }));
  const data: Record<string, unknown[]> = {};
  const unprocessed: Record<string, unknown[]> = {};
  for (const [table, entries] of Object.entries(tables)) {
    data[table] = entries.map((entry) => toPlainItem(toSdkMap(entry)));
    unprocessed[table] = (output.UnprocessedItems?.[table] ?? []).map((left) =>
      toPlainItem((kind === 'put' ? left.PutRequest?.Item : left.DeleteRequest?.Key) ?? {}),
    );
  }
  return { result: kind === 'put' ? { data, unprocessedItems: unprocessed } : { data, unprocessedKeys: unprocessed } };
}

export async function transactGetItems(client: DynamoDBClient, request: Json): Promise<DataSourceOutcome> {
  const items = request.transactItems as { table: string; key: Json }[];
  const output = await client.send(
    new TransactGetItemsCommand({ TransactItems: items.map((item) => ({ Get: { TableName: item.table, Key: toSdkMap(item.key) } })) }),
  );
  return { result: { items: (output.Responses ?? []).map((response) => plainOrNull(response.Item)), cancellationReasons: null } };
}

export async function transactWriteItems(client: DynamoDBClient, request: Json): Promise<DataSourceOutcome> {
  const items = request.transactItems as (Json & { table: string; operation: string; key: Json })[];
  const transactItems = items.map((item) => {
    const collector = new ExpressionCollector();
    const condition = collector.add(item.condition as ExpressionJson | undefined, 'condition');
    const base = { TableName: item.table, ConditionExpression: condition };
    switch (item.operation) {
      case 'PutItem':
        return { Put: { ...base, Item: { ...toSdkMap(item.attributeValues as Json), ...toSdkMap(item.key) }, ...collector.input() } };
      case 'UpdateItem': {
        const update = collector.add(item.update as ExpressionJson, 'update');
        return { Update: { ...base, Key: toSdkMap(item.key), UpdateExpression: update, ...collector.input() } };
      }
      case 'DeleteItem':
        return { Delete: { ...base, Key: toSdkMap(item.key), ...collector.input() } };
      case 'ConditionCheck':
        return { ConditionCheck: { ...base, Key: toSdkMap(item.key), ConditionExpression: condition ?? '', ...collector.input() } };
      default:
        throw new InvalidRequestError(`Unsupported transact operation "${item.operation}"`);
    }
  });
  await client.send(new TransactWriteItemsCommand({ TransactItems: transactItems }));
  return { result: { keys: items.map((item) => toPlainItem(toSdkMap(item.key))), cancellationReasons: null } };
}
