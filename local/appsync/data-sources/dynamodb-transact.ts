/**
 * Transaction operations of the DYNAMODB data source, as AppSync runs them:
 * TransactWriteItems (PutItem, UpdateItem, DeleteItem, ConditionCheck items,
 * each naming its table) and TransactGetItems. Results are AppSync's:
 * `{ keys, cancellationReasons: null }` and `{ items, cancellationReasons: null }`;
 * a cancelled transaction sets ctx.error and leaves `cancellationReasons`
 * (`{ type, message }` per item, in order) in ctx.result.
 */
import { toPlainItem, toWireMap } from './attribute-values.ts';
import { ExpressionCollector, projectionInput, type ExpressionJson } from './dynamodb-expressions.ts';
import type { DynamoDbJsonClient, Item } from './dynamodb-wire.ts';
import { DynamoDbServiceError, InvalidRequestError } from '../errors.ts';
import { dynamoDbError } from './errors.ts';
import type { DataSourceOutcome } from './types.ts';

type Json = Record<string, unknown>;

const writeKinds: Readonly<Record<string, string>> = { PutItem: 'Put', UpdateItem: 'Update', DeleteItem: 'Delete', ConditionCheck: 'ConditionCheck' };

function itemsOf(request: Json): Json[] {
  const items = request.transactItems;
  if (!Array.isArray(items) || items.some((item) => item === null || typeof item !== 'object')) {
    throw new InvalidRequestError(`${String(request.operation)} requires "transactItems"`);
  }
  return items as Json[];
}

function writeItem(item: Json): Json {
  const kind = writeKinds[String(item.operation)];
  if (!kind || typeof item.table !== 'string') throw new InvalidRequestError('each transact item needs a "table" and an "operation" of PutItem, UpdateItem, DeleteItem or ConditionCheck');
  const key = toWireMap(item.key as Json);
  const collector = new ExpressionCollector();
  const condition = (item.condition ?? undefined) as (ExpressionJson & { returnValuesOnConditionCheckFailure?: boolean }) | undefined;
  const conditionExpression = collector.add(condition, 'condition');
  const update = kind === 'Update' ? collector.add(item.update as ExpressionJson, 'update') : undefined;
  return {
    [kind]: {
      TableName: item.table,
      ...(kind === 'Put' ? { Item: { ...toWireMap(item.attributeValues as Json | undefined), ...key } } : { Key: key }),
      ...(update ? { UpdateExpression: update } : {}),
      ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
      ...(condition?.returnValuesOnConditionCheckFailure ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
      ...collector.input(),
    },
  };
}

interface CancellationReasonWire {
  readonly Code?: string;
  readonly Message?: string;
}

/** AppSync's result for a cancelled transaction: ctx.error, and the reasons in ctx.result. */
function cancelled(error: unknown, resultKey: 'keys' | 'items'): DataSourceOutcome | undefined {
  if (!(error instanceof DynamoDbServiceError) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons: readonly CancellationReasonWire[] = error.cancellationReasons ?? [];
  return {
    result: { [resultKey]: null, cancellationReasons: reasons.map((reason) => ({ type: reason.Code ?? 'None', message: reason.Message ?? 'null' })) },
    error: dynamoDbError(error),
  };
}

export async function transactWriteItems(client: DynamoDbJsonClient, request: Json): Promise<DataSourceOutcome> {
  const items = itemsOf(request);
  const wire = items.map(writeItem);
  try {
    await client.call('TransactWriteItems', { TransactItems: wire });
  } catch (error) {
    const outcome = cancelled(error, 'keys');
    if (outcome) return outcome;
    throw error;
  }
  return { result: { keys: items.map((item) => toPlainItem(toWireMap(item.key as Json))), cancellationReasons: null } };
}

export async function transactGetItems(client: DynamoDbJsonClient, request: Json): Promise<DataSourceOutcome> {
  const items = itemsOf(request);
  const wire = items.map((item) => {
    if (typeof item.table !== 'string') throw new InvalidRequestError('each transact item needs a "table"');
    const collector = new ExpressionCollector();
    const projection = projectionInput(collector, item.projection);
    return {
      Get: {
        TableName: item.table,
        Key: toWireMap(item.key as Json),
        ...projection,
        ...(projection.ProjectionExpression ? { ExpressionAttributeNames: collector.input().ExpressionAttributeNames } : {}),
      },
    };
  });
  let output: { Responses?: { Item?: Item }[] };
  try {
    output = await client.call('TransactGetItems', { TransactItems: wire });
  } catch (error) {
    const outcome = cancelled(error, 'items');
    if (outcome) return outcome;
    throw error;
  }
  return { result: { items: (output.Responses ?? []).map((response) => (response.Item ? toPlainItem(response.Item) : null)), cancellationReasons: null } };
}
