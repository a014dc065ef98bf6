import { describe, expect, it } from 'vitest';
import { dynamoDbAuthorizationRequests } from '../../local/dynamodb/authorization.ts';
import { compilePolicy } from '../../local/iam/policy.ts';
import { accessDeniedMessage, administrator, firstDenied, functionRole, principalDirectory } from '../../local/iam/principals.ts';
import { missingKeyProbe, s3AuthorizationRequests } from '../../local/s3/authorization.ts';

const scope = { region: 'us-east-1', accountId: '000000000000' };
const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/images';
const s3 = (method: string, path: string, headers: Record<string, string> = {}) => {
  const [bucket, ...key] = path.split('?')[0].split('/').filter((part, i) => i > 0 || part !== '');
  return s3AuthorizationRequests({ method, bucket, key: key.join('/'), query: new URLSearchParams(path.split('?')[1] ?? ''), headers });
};

describe('Function: dynamoDbAuthorizationRequests', () => {
  it('names the table for item operations', () => {
    expect(dynamoDbAuthorizationRequests('GetItem', { TableName: 'images', Key: {} }, scope)).toEqual([{ action: 'dynamodb:GetItem', resource: table }]);
  });

  it('names the index for a Query or Scan of one', () => {
    expect(dynamoDbAuthorizationRequests('Query', { TableName: 'images', IndexName: 'byLabel' }, scope)).toEqual([
      { action: 'dynamodb:Query', resource: `${table}/index/byLabel` },
    ]);
    expect(dynamoDbAuthorizationRequests('Scan', { TableName: 'images', IndexName: 'byStatus' }, scope)).toEqual([
      { action: 'dynamodb:Scan', resource: `${table}/index/byStatus` },
    ]);
  });

  it('names every table of a batch', () => {
    expect(dynamoDbAuthorizationRequests('BatchWriteItem', { RequestItems: { images: [], other: [] } }, scope)).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: table },
      { action: 'dynamodb:BatchWriteItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/other' },
    ]);
  });

  it('checks each transaction part as its own action', () => {
    const body = { TransactItems: [{ Put: { TableName: 'images' } }, { ConditionCheck: { TableName: 'images' } }] };
    expect(dynamoDbAuthorizationRequests('TransactWriteItems', body, scope).map((r) => r.action)).toEqual(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']);
  });

  it('checks account operations on *', () => {
    expect(dynamoDbAuthorizationRequests('ListTables', {}, scope)).toEqual([{ action: 'dynamodb:ListTables', resource: '*' }]);
  });
});

describe('Function: s3AuthorizationRequests', () => {
  it('maps object reads, writes and deletes', () => {
    expect(s3('GET', '/b/uploads/x')).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/x' }]);
    expect(s3('HEAD', '/b/uploads/x')).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/x' }]);
    expect(s3('PUT', '/b/uploads/x')).toEqual([{ action: 's3:PutObject', resource: 'arn:aws:s3:::b/uploads/x' }]);
    expect(s3('DELETE', '/b/images/x')).toEqual([{ action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/images/x' }]);
  });

  it('needs GetObject on the source of a copy as well as PutObject on its target', () => {
    expect(s3('PUT', '/b/images/x', { 'x-amz-copy-source': '/b/uploads/x%20y' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/images/x' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/x y' },
    ]);
  });

  it('lists with the prefix as the s3:prefix condition key', () => {
    expect(s3('GET', '/b?list-type=2&prefix=uploads/')).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'uploads/' } },
    ]);
    expect(missingKeyProbe('b', 'uploads/x')).toEqual({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'uploads/x' } });
  });

  it('maps bucket configuration to its own actions', () => {
    expect(s3('PUT', '/b?cors')).toEqual([{ action: 's3:PutBucketCORS', resource: 'arn:aws:s3:::b' }]);
    expect(s3('GET', '/b?location')).toEqual([{ action: 's3:GetBucketLocation', resource: 'arn:aws:s3:::b' }]);
  });
});

describe('Module: principals', () => {
  const policy = compilePolicy([{ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/uploads/*' }] }]);
  const role = functionRole('labeler-role', 'labeler', policy);
  const directory = principalDirectory([
    { credentials: { accessKeyId: 'ADMIN', secretAccessKey: 's1' }, principal: administrator() },
    { credentials: { accessKeyId: 'FN', secretAccessKey: 's2' }, principal: role },
  ]);

  it('finds each key pair and its principal', () => {
    expect(directory.lookup('FN')).toEqual({ accessKeyId: 'FN', secretAccessKey: 's2' });
    expect(directory.principalOf('FN')).toBe(role);
    expect(directory.lookup('NOPE')).toBeUndefined();
    expect(directory.principalOf('ADMIN')!.authorize({ action: 'dynamodb:DeleteTable', resource: '*' })).toEqual({ allowed: true });
  });

  it('reports the first request a role may not make, in IAM words', () => {
    const denied = firstDenied(role, [
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/x' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/images/x' },
    ]);
    expect(denied?.request.action).toBe('s3:PutObject');
    expect(accessDeniedMessage(role, denied!.request, denied!.decision)).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/labeler-role/labeler is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/images/x because no identity-based policy allows the s3:PutObject action',
    );
    expect(firstDenied(role, [{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/x' }])).toBeUndefined();
  });
});
