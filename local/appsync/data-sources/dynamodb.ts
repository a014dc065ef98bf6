/**
 * The DYNAMODB data source: AppSync's JS request objects (GetItem, PutItem,
 * UpdateItem, DeleteItem, Query, Scan, Sync; Batch* are in dynamodb-batch.ts)
 * run as real DynamoDB calls (DynamoDB's JSON API, dynamodb-wire.ts), results
 * shaped as AppSync shapes them. TransactGetItems and TransactWriteItems are
 * in dynamodb-transact.ts (the local DynamoDB runs transactions).
 */
import { toPlainItem, toWireMap } from './attribute-values.ts';
import { batchGetItem, batchWrite } from './dynamodb-batch.ts';
import { transactGetItems, transactWriteItems } from './dynamodb-transact.ts';
import { ExpressionCollector, projectionInput, type ExpressionJson } from './dynamodb-expressions.ts';
import type { DynamoDbJsonClient, Item } from './dynamodb-wire.ts';
import { DynamoDbServiceError, InvalidRequestError } from '../errors.ts';
import { conditionalCheckFailed, dynamoDbError, invalidNextToken } from './errors.ts';
import type { NextTokenCodec } from './next-token.ts';
import type { DataSourceOutcome } from './types.ts';

export interface DynamoDbDataSourceOptions {
  readonly client: DynamoDbJsonClient;
  readonly tableName: string;
  readonly tokens: NextTokenCodec;
}

type Json = Record<string, unknown>;

/** The parts of DynamoDB's answers the data source reads. */
interface ItemOutput {
  readonly Item?: Item;
}
interface AttributesOutput {
  readonly Attributes?: Item;
}
interface PageOutput {
  readonly Items?: Item[];
  readonly LastEvaluatedKey?: Item;
  readonly ScannedCount?: number;
}

interface ConditionJson extends ExpressionJson {
  readonly equalsIgnore?: string[];
  readonly consistentRead?: boolean;
}

const plainOrNull = (item: Item | undefined) => (item ? toPlainItem(item) : null);

function requireMap(request: Json, field: string): Json {
  const value = request[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestError(`${String(request.operation)} requires "${field}"`);
  }
  return value as Json;
}

function sameItem(current: Json, desired: Json, ignored: readonly string[]): boolean {
  const strip = (item: Json) =>
    JSON.stringify(Object.fromEntries(Object.entries(item).filter(([name]) => !ignored.includes(name)).sort()));
  return strip(current) === strip(desired);
}

export function createDynamoDbDataSource(options: DynamoDbDataSourceOptions) {
  const { client, tableName, tokens } = options;

  const getCurrent = async (key: Item) =>
    (await client.call<ItemOutput>('GetItem', { TableName: tableName, Key: key, ConsistentRead: true })).Item;

  /**
   * AppSync's handling of a failed condition: when the item already is what
   * the request wanted, the write counts as done; otherwise ctx.error, with the
   * current item as ctx.result.
   */
  async function onConditionFailed(request: Json, key: Item, desired: Json | null, error: unknown): Promise<DataSourceOutcome> {
    const current = await getCurrent(key);
    const condition = (request.condition ?? {}) as ConditionJson;
    if (request.operation === 'DeleteItem' && !current) return { result: null };
    if (desired && current && sameItem(toPlainItem(current), desired, condition.equalsIgnore ?? [])) {
      return { result: toPlainItem(current) };
    }
    const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId ?? 'local';
    return { result: plainOrNull(current), error: conditionalCheckFailed(requestId) };
  }

  async function write(
    request: Json,
    key: Item,
    desired: Json | null,
    run: (collector: ExpressionCollector, condition: string | undefined) => Promise<DataSourceOutcome>,
  ): Promise<DataSourceOutcome> {
    const collector = new ExpressionCollector();
    const condition = collector.add(request.condition as ConditionJson | undefined, 'condition');
    try {
      return await run(collector, condition);
    } catch (error) {
      if (error instanceof DynamoDbServiceError && error.name === 'ConditionalCheckFailedException') return onConditionFailed(request, key, desired, error);
      throw error;
    }
  }

  async function getItem(request: Json): Promise<DataSourceOutcome> {
    const collector = new ExpressionCollector();
    const projection = projectionInput(collector, request.projection);
    const output = await client.call<ItemOutput>('GetItem', {
      TableName: tableName,
      Key: toWireMap(requireMap(request, 'key')),
      ConsistentRead: request.consistentRead === true,
      ...projection,
      ...(projection.ProjectionExpression ? { ExpressionAttributeNames: collector.input().ExpressionAttributeNames } : {}),
    });
    return { result: plainOrNull(output.Item) };
  }

  async function putItem(request: Json): Promise<DataSourceOutcome> {
    const key = toWireMap(requireMap(request, 'key'));
    const item = { ...toWireMap(request.attributeValues as Json | undefined), ...key };
    return write(request, key, toPlainItem(item), async (collector, condition) => {
      await client.call('PutItem', { TableName: tableName, Item: item, ConditionExpression: condition, ...collector.input() });
      return { result: toPlainItem(item) };
    });
  }

  async function updateItem(request: Json): Promise<DataSourceOutcome> {
    const key = toWireMap(requireMap(request, 'key'));
    return write(request, key, null, async (collector, condition) => {
      const update = collector.add(requireMap(request, 'update') as ExpressionJson, 'update');
      const output = await client.call<AttributesOutput>('UpdateItem', {
        TableName: tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: condition,
        ReturnValues: 'ALL_NEW',
        ...collector.input(),
      });
      return { result: plainOrNull(output.Attributes) };
    });
  }

  async function deleteItem(request: Json): Promise<DataSourceOutcome> {
    const key = toWireMap(requireMap(request, 'key'));
    return write(request, key, null, async (collector, condition) => {
      const output = await client.call<AttributesOutput>('DeleteItem', {
        TableName: tableName,
        Key: key,
        ConditionExpression: condition,
        ReturnValues: 'ALL_OLD',
        ...collector.input(),
      });
      return { result: plainOrNull(output.Attributes) };
    });
  }

  /** Query, Scan and Sync: one page, with AppSync's signed nextToken. */
  async function readPage(request: Json): Promise<DataSourceOutcome> {
    const operation = request.operation as 'Query' | 'Scan' | 'Sync';
    const index = typeof request.index === 'string' ? request.index : undefined;
    const scope = `${tableName}|${index ?? ''}|${operation}`;
    let exclusiveStartKey: Item | undefined;
    if (typeof request.nextToken === 'string' && request.nextToken !== '') {
      exclusiveStartKey = tokens.decode(scope, request.nextToken);
      if (!exclusiveStartKey) return { result: null, error: invalidNextToken };
    }
    const collector = new ExpressionCollector();
    const keyCondition = operation === 'Query' ? collector.add(requireMap(request, 'query'), 'query') : undefined;
    const filter = collector.add(request.filter as ExpressionJson | undefined, 'filter');
    const common = {
      TableName: tableName,
      IndexName: index,
      Limit: typeof request.limit === 'number' ? request.limit : undefined,
      ConsistentRead: request.consistentRead === true ? true : undefined,
      Select: typeof request.select === 'string' ? request.select : undefined,
      ExclusiveStartKey: exclusiveStartKey,
      FilterExpression: filter,
      ...projectionInput(collector, request.projection),
    };
    const output =
      operation === 'Query'
        ? await client.call<PageOutput>('Query', {
            ...common,
            KeyConditionExpression: keyCondition,
            ScanIndexForward: request.scanIndexForward === false ? false : undefined,
            ...collector.input(),
          })
        : await client.call<PageOutput>('Scan', {
            ...common,
            Segment: typeof request.segment === 'number' ? request.segment : undefined,
            TotalSegments: typeof request.totalSegments === 'number' ? request.totalSegments : undefined,
            ...collector.input(),
          });
    const page = {
      items: (output.Items ?? []).map(toPlainItem),
      nextToken: tokens.encode(scope, output.LastEvaluatedKey),
      scannedCount: output.ScannedCount ?? 0,
    };
    return { result: operation === 'Sync' ? { ...page, startedAt: Date.now() } : page };
  }

  const operations: Record<string, (request: Json) => Promise<DataSourceOutcome>> = {
    GetItem: getItem,
    PutItem: putItem,
    UpdateItem: updateItem,
    DeleteItem: deleteItem,
    Query: readPage,
    Scan: readPage,
    Sync: readPage,
    BatchGetItem: (request) => batchGetItem(client, request),
    BatchPutItem: (request) => batchWrite(client, request, 'put'),
    BatchDeleteItem: (request) => batchWrite(client, request, 'delete'),
    TransactGetItems: (request) => transactGetItems(client, request),
    TransactWriteItems: (request) => transactWriteItems(client, request),
  };

  return {
    async invoke(request: unknown): Promise<DataSourceOutcome> {
      if (request === null || typeof request !== 'object') {
        throw new InvalidRequestError('A DynamoDB request must be an object with an "operation"');
      }
      const name = String((request as Json).operation);
      const operation = operations[name];
      if (!operation) throw new InvalidRequestError(`Unsupported operation '${name}'.`);
      try {
        return await operation(request as Json);
      } catch (error) {
        if (error instanceof InvalidRequestError) throw error;
        return { result: null, error: dynamoDbError(error) };
      }
    },
  };
}
