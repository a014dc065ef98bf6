/**
 * The local DynamoDB (dynalite) has no transactions, so the DYNAMODB data
 * source refuses AppSync's transaction operations before reaching it, with a
 * field error that names the operation, instead of claiming a capability.
 */
import { describe, expect, it } from 'vitest';
import { createDynamoDbDataSource } from '../../local/appsync/data-sources/dynamodb.ts';
import type { DynamoDbJsonClient } from '../../local/appsync/data-sources/dynamodb-wire.ts';
import { InvalidRequestError } from '../../local/appsync/data-sources/errors.ts';
import { createNextTokenCodec } from '../../local/appsync/data-sources/next-token.ts';

/** A DynamoDB client that records each operation it is asked for and answers an empty item. */
function recordingClient(): DynamoDbJsonClient & { readonly operations: string[] } {
  const operations: string[] = [];
  return {
    operations,
    async call<Output>(operation: string): Promise<Output> {
      operations.push(operation);
      return {} as Output;
    },
  };
}

describe('Function: createDynamoDbDataSource', () => {
  it.each([
    ['TransactGetItems', { operation: 'TransactGetItems', transactItems: [{ table: 'images', key: { pk: { S: 'IMAGE#1' }, sk: { S: 'IMAGE' } } }] }],
    [
      'TransactWriteItems',
      { operation: 'TransactWriteItems', transactItems: [{ table: 'images', operation: 'PutItem', key: { pk: { S: 'IMAGE#1' }, sk: { S: 'IMAGE' } }, attributeValues: {} }] },
    ],
  ])('refuses %s as unsupported offline, without calling DynamoDB', async (operation, request) => {
    // Prepare
    const client = recordingClient();
    const source = createDynamoDbDataSource({ client, tableName: 'images', tokens: createNextTokenCodec('test-secret') });

    // Act
    const outcome = source.invoke(request);

    // Assess
    await expect(outcome).rejects.toThrow(InvalidRequestError);
    await expect(outcome).rejects.toThrow(`${operation} is not supported offline: the local DynamoDB has no transactions.`);
    expect(client.operations).toEqual([]);
  });

  it('still runs the operations it supports', async () => {
    // Prepare
    const client = recordingClient();
    const source = createDynamoDbDataSource({ client, tableName: 'images', tokens: createNextTokenCodec('test-secret') });

    // Act
    const outcome = await source.invoke({ operation: 'GetItem', key: { pk: { S: 'IMAGE#1' }, sk: { S: 'IMAGE' } } });

    // Assess
    expect(outcome).toEqual({ result: null });
    expect(client.operations).toEqual(['GetItem']);
  });
});
