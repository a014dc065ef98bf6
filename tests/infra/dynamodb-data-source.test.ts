import { describe, expect, it } from 'vitest';
import { bundleResolver } from '../../api/bundle.ts';
import { dataSources, fields } from '../../api/manifest.ts';
import { dynamoDbActionsFor, dynamoDbOperationsIn } from '../../infra/dynamodb-data-source.ts';

describe('Function: dynamoDbOperationsIn', () => {
  it('finds the operations a bundled resolver issues, once each', () => {
    const code = `return { operation: "Query", index: "byLabel" }; x = { operation: 'PutItem' }; y = { operation:"Query" }`;
    expect(dynamoDbOperationsIn(code)).toEqual(['PutItem', 'Query']);
  });

  it('finds none in code without a request', () => {
    expect(dynamoDbOperationsIn('export function response(ctx) { return ctx.result; }')).toEqual([]);
  });
});

describe('Function: dynamoDbActionsFor', () => {
  it('maps operations to IAM actions, batches to BatchWriteItem', () => {
    expect(dynamoDbActionsFor(['GetItem', 'BatchPutItem', 'BatchDeleteItem', 'Query'])).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
  });

  it('refuses Scan and Sync, and operations it does not know', () => {
    expect(() => dynamoDbActionsFor(['Scan'])).toThrow(/Scan is not allowed/);
    expect(() => dynamoDbActionsFor(['Sync'])).toThrow(/not allowed/);
    expect(() => dynamoDbActionsFor(['Truncate'])).toThrow(/unknown/);
  });
});

describe('the project resolvers on DynamoDB', () => {
  it('each issue at least one operation, and none a Scan', () => {
    const dynamoDbSources = new Set(Object.entries(dataSources).filter(([, spec]) => spec.kind === 'DYNAMODB').map(([name]) => name));
    const wired: { code: string; dataSource: string }[] = fields.flatMap((field) =>
      field.kind === 'UNIT' ? [{ code: field.code, dataSource: field.dataSource }] : [...field.steps],
    );
    const files = wired.filter((file) => dynamoDbSources.has(file.dataSource));
    expect(files.length).toBeGreaterThan(0);
    for (const { code } of files) {
      const operations = dynamoDbOperationsIn(bundleResolver({ code }));
      expect(operations, code).not.toHaveLength(0);
      expect(() => dynamoDbActionsFor(operations), code).not.toThrow();
    }
  });
});
