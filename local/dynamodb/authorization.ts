/**
 * Which IAM actions a DynamoDB JSON 1.0 request needs, on which resources:
 * the table's ARN, or an index's ARN for a Query or Scan with IndexName, one
 * entry per table for the batch operations.
 *
 * Reference: "Actions, resources, and condition keys for Amazon DynamoDB"
 * (Service Authorization Reference).
 */
import type { AuthorizationRequest } from '../iam/policy.ts';

export interface DynamoDbArnScope {
  readonly region: string;
  readonly accountId: string;
}

export const tableArn = (scope: DynamoDbArnScope, table: string): string =>
  `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${table}`;
export const indexArn = (scope: DynamoDbArnScope, table: string, index: string): string => `${tableArn(scope, table)}/index/${index}`;

/** Operations on no table: IAM checks them on `*`. */
const accountOperations = new Set(['ListTables', 'DescribeLimits', 'DescribeEndpoints']);
/** Transaction parts and the action IAM checks for each. */
const transactParts: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const stringField = (body: Record<string, unknown>, name: string): string | undefined =>
  typeof body[name] === 'string' ? (body[name] as string) : undefined;

/**
 * `target` is the X-Amz-Target header's operation (`DynamoDB_20120810.Query` → `Query`);
 * `body` the parsed JSON. Malformed bodies yield the table-less action, which DynamoDB's
 * own validation then refuses.
 */
export function dynamoDbAuthorizationRequests(operation: string, body: unknown, scope: DynamoDbArnScope): AuthorizationRequest[] {
  const action = `dynamodb:${operation}`;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (accountOperations.has(operation)) return [{ action, resource: '*' }];
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const items = typeof fields.RequestItems === 'object' && fields.RequestItems !== null ? Object.keys(fields.RequestItems) : [];
    return items.map((table) => ({ action, resource: tableArn(scope, table) }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const parts = Array.isArray(fields.TransactItems) ? (fields.TransactItems as unknown[]) : [];
    return parts.flatMap((part) =>
      Object.entries(typeof part === 'object' && part !== null ? part : {}).flatMap(([kind, value]) => {
        const table = typeof value === 'object' && value !== null ? stringField(value as Record<string, unknown>, 'TableName') : undefined;
        const partAction = transactParts[kind];
        return partAction && table ? [{ action: partAction, resource: tableArn(scope, table) }] : [];
      }),
    );
  }
  const table = stringField(fields, 'TableName');
  if (table === undefined) return [{ action, resource: '*' }];
  const index = stringField(fields, 'IndexName');
  if (index !== undefined && (operation === 'Query' || operation === 'Scan')) return [{ action, resource: indexArn(scope, table, index) }];
  return [{ action, resource: tableArn(scope, table) }];
}
