/**
 * api/data-source-access.ts: the role of a DYNAMODB data source, derived from
 * its resolvers' bundled code, as infra/ deploys it and the local AppSync's
 * data source is held to.
 */
import { describe, expect, it } from 'vitest';
import { bundleResolver } from '../../api/bundle.ts';
import {
  codeFilesByDataSource,
  DataSourceAccessError,
  dynamoDbActionsFor,
  dynamoDbDataSourceAccess,
  dynamoDbDataSourceNames,
  dynamoDbDataSourceStatements,
  dynamoDbOperationsIn,
} from '../../api/data-source-access.ts';
import type { FieldWiring } from '../../api/manifest.ts';

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
    expect(() => dynamoDbActionsFor(['Truncate'])).toThrow(DataSourceAccessError);
    expect(() => dynamoDbActionsFor(['Truncate'])).toThrow(/unknown/);
  });
});

describe('Function: codeFilesByDataSource', () => {
  it('lists each data source\'s code files once: unit resolvers and pipeline steps', () => {
    // Prepare
    const wirings: FieldWiring[] = [
      { typeName: 'Query', fieldName: 'a', kind: 'UNIT', auth: [], code: 'resolvers/A.ts', dataSource: 'imagesTable' },
      { typeName: 'Query', fieldName: 'b', kind: 'UNIT', auth: [], code: 'resolvers/A.ts', dataSource: 'imagesTable' },
      {
        typeName: 'Mutation',
        fieldName: 'c',
        kind: 'PIPELINE',
        auth: [],
        code: 'resolvers/C.ts',
        steps: [
          { name: 'one', code: 'resolvers/pipeline/one.ts', dataSource: 'imagesTable' },
          { name: 'two', code: 'resolvers/pipeline/two.ts', dataSource: 'none' },
        ],
      },
    ];

    // Act
    const files = codeFilesByDataSource(wirings);

    // Assess
    expect(Object.fromEntries(files)).toEqual({ imagesTable: ['resolvers/A.ts', 'resolvers/pipeline/one.ts'], none: ['resolvers/pipeline/two.ts'] });
  });
});

describe('Function: dynamoDbDataSourceAccess', () => {
  it('refuses code on a DynamoDB data source that issues no operation, naming the data source', () => {
    expect(() => dynamoDbDataSourceAccess({ dataSource: 'imagesTable', resolverCode: [`x = { operation: "GetItem" }`, 'return 1'] })).toThrow(
      'resolver code #1 on data source imagesTable issues no DynamoDB operation',
    );
  });
});

describe('Function: dynamoDbDataSourceStatements', () => {
  const table = 'arn:aws:dynamodb:us-east-1:111122223333:table/images';

  it('grants every action but Query on the table, and Query on the table and the declared indexes', () => {
    // Prepare
    const access = dynamoDbDataSourceAccess({
      dataSource: 'imagesTable',
      resolverCode: [`{ operation: "GetItem" }`, `{ operation: "Query", index: x }`, `{ operation: 'PutItem' }`],
      queryIndexes: ['byLabel'],
    });

    // Act
    const statements = dynamoDbDataSourceStatements(access, table);

    // Assess
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: [table] },
      { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [table, `${table}/index/byLabel`] },
    ]);
  });

  it('grants no index without a Query', () => {
    const access = dynamoDbDataSourceAccess({ dataSource: 'd', resolverCode: [`{ operation: "GetItem" }`], queryIndexes: ['byLabel'] });
    expect(dynamoDbDataSourceStatements(access, table)).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [table] }]);
  });
});

describe('the project resolvers on DynamoDB', () => {
  it('each issue at least one operation, and none a Scan', () => {
    const files = dynamoDbDataSourceNames.flatMap((name) => codeFilesByDataSource().get(name) ?? []);
    expect(files.length).toBeGreaterThan(0);
    for (const code of files) {
      const operations = dynamoDbOperationsIn(bundleResolver({ code }));
      expect(operations, code).not.toHaveLength(0);
      expect(() => dynamoDbActionsFor(operations), code).not.toThrow();
    }
  });
});
