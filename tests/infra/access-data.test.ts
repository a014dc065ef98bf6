/**
 * What api/access.ts declares keeps the least-privilege intent (the roles are
 * derived from it, so these are the checks a hand-written role list used to
 * make), and policyStatementsFor turns it into IAM statements, pure.
 */
import { describe, expect, it } from 'vitest';
import { accessOf, environmentFor, functionAccess, policyStatementsFor } from '../../api/access.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { MediaLayout, readableKeyPrefixes } from '../../api/media.ts';

const names = Object.keys(lambdaFunctions) as LambdaFunctionName[];
const arns = {
  bucket: 'arn:aws:s3:::uploads-bucket',
  table: 'arn:aws:dynamodb:us-east-1:111122223333:table/images',
  graphqlApi: 'arn:aws:appsync:us-east-1:111122223333:apis/abc',
  functions: { labelingFailed: 'arn:aws:lambda:us-east-1:111122223333:function:failed' },
  queues: {
    labelingQueue: 'arn:aws:sqs:us-east-1:111122223333:labeling',
    labelingDeadLetters: 'arn:aws:sqs:us-east-1:111122223333:labeling-dlq',
  },
};

describe('Declared access', () => {
  it('covers every manifest function, and no other', () => {
    expect(Object.keys(functionAccess).sort()).toEqual([...names].sort());
  });

  it('never grants a Scan, a wildcard action, or an index but byStatus to the reconciler', () => {
    for (const name of names) {
      const access = accessOf(name);
      const actions: string[] = [...access.table, ...Object.values(access.indexes).flat(), ...access.objects.flatMap((grant) => grant.actions)];
      expect(actions.filter((action) => action === 'dynamodb:Scan' || action.includes('*'))).toEqual([]);
      expect(Object.keys(access.indexes)).toEqual(name === 'reconciler' ? ['byStatus'] : []);
    }
  });

  it('lets the presigners sign only their own action under their own prefixes', () => {
    expect(accessOf('presignUpload').objects).toEqual([{ prefixes: [MediaLayout.uploadKeyPrefix], actions: ['s3:PutObject'] }]);
    expect(accessOf('presignDownload').objects).toEqual([{ prefixes: [...readableKeyPrefixes], actions: ['s3:GetObject'] }]);
    expect(accessOf('presignDownload').objects.flatMap((grant) => grant.prefixes)).not.toContain(MediaLayout.uploadKeyPrefix);
  });

  it('lets only the reconciler list, and only under uploads/', () => {
    expect(names.filter((name) => accessOf(name).list.length > 0)).toEqual(['reconciler']);
    expect(accessOf('reconciler').list).toEqual([MediaLayout.uploadKeyPrefix]);
  });

  it('gives every function that ends images (and so finishes ended ones) the table actions that takes', () => {
    for (const name of ['labeler', 'labelingFailed', 'reconciler'] as const) {
      expect(accessOf(name).table).toEqual(expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']));
      expect(accessOf(name).publish).toEqual(['publishImageLabeled']);
    }
  });
});

describe('Function: policyStatementsFor', () => {
  it("turns the reconciler's access into statements: objects, a conditional ListBucket, table, index, publish", () => {
    expect(policyStatementsFor('reconciler', arns)).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::uploads-bucket/uploads/*'] },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: ['arn:aws:s3:::uploads-bucket'],
        Condition: { StringLike: { 's3:prefix': ['uploads/*'] } },
      },
      { Effect: 'Allow', Action: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: [arns.table] },
      { Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`${arns.table}/index/byStatus`] },
      { Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: [`${arns.graphqlApi}/types/Mutation/fields/publishImageLabeled`] },
    ]);
  });

  it('grants the functions an event source mapping feeds the ESM\'s sqs actions on their own queue only', () => {
    const esmActions = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
    expect(policyStatementsFor('labeler', arns)).toContainEqual({ Effect: 'Allow', Action: esmActions, Resource: [arns.queues.labelingQueue] });
    expect(policyStatementsFor('labelingFailed', arns)).toContainEqual({ Effect: 'Allow', Action: esmActions, Resource: [arns.queues.labelingDeadLetters] });
    for (const name of names.filter((candidate) => candidate !== 'labeler' && candidate !== 'labelingFailed')) {
      expect(policyStatementsFor(name, arns).flatMap((statement) => statement.Action).filter((action) => action.startsWith('sqs:'))).toEqual([]);
    }
    expect(policyStatementsFor('labeler', arns).flatMap((statement) => statement.Action)).not.toContain('lambda:InvokeFunction');
  });

  it('says which ARN is missing', () => {
    expect(() => policyStatementsFor('reconciler', { ...arns, graphqlApi: undefined })).toThrow(/reconciler publishes on Mutation.publishImageLabeled, but no GraphQL API ARN/);
    expect(() => policyStatementsFor('deleteImage', { bucket: arns.bucket })).toThrow(/deleteImage has access to the table, but no table ARN/);
    expect(() => policyStatementsFor('labeler', { ...arns, queues: {} })).toThrow(/labeler consumes labelingQueue, but no queue ARN/);
  });
});

describe('Function: environmentFor', () => {
  it("maps each declared variable to its source's value, and nothing else", () => {
    expect(environmentFor('presignUpload', { bucketName: 'b', tableName: 't', graphqlUrl: 'u', callbackSecret: 's' })).toEqual({ UPLOAD_BUCKET: 'b' });
    expect(environmentFor('labelingFailed', { bucketName: 'b', tableName: 't', graphqlUrl: 'u', callbackSecret: 's' })).toEqual({
      IMAGES_TABLE: 't',
      APPSYNC_URL: 'u',
      CALLBACK_SECRET: 's',
    });
  });

  it('names the source a caller did not provide', () => {
    expect(() => environmentFor('reconciler', { bucketName: 'b', tableName: 't' })).toThrow(/reconciler reads APPSYNC_URL, but no graphqlUrl was provided/);
  });
});
