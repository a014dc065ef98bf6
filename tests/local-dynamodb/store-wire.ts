// The unsigned DynamoDB JSON 1.0 requests and answers that tests of the store layer (store-transport.ts) pass
// between it and a dynalite stand-in: the store layer reads only the operation header and the body.
import type { DynamoDbHttpRequest, DynamoDbHttpResponse } from '../../local/dynamodb/in-process.ts';

export const ok = (body: object): DynamoDbHttpResponse => ({ statusCode: 200, headers: {}, body: JSON.stringify(body) });

export const request = (operation: string, body: object): DynamoDbHttpRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'x-amz-target': `DynamoDB_20120810.${operation}` },
  body: JSON.stringify(body),
});

/** The key of an item of a table keyed by the string `pk`. */
export const key = (pk: string) => ({ pk: { S: pk } });
