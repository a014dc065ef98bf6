import { describe, expect, it } from 'vitest';
import { UnsupportedPolicyError } from '../../local/iam/errors.ts';
import { compilePolicy, type PolicyDocument } from '../../local/iam/policy.ts';

const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/labelcast-images';
const bucket = 'arn:aws:s3:::labelcast-uploads';

const labelerLike: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: table },
    { Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${table}/index/byStatus` },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/uploads/*` },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': ['uploads/*'] } } },
    { Effect: 'Allow', Action: 'rekognition:Detect*', Resource: '*' },
  ],
};

describe('Function: compilePolicy', () => {
  const policy = compilePolicy([labelerLike]);

  it('allows an action listed on its resource', () => {
    expect(policy.authorize({ action: 'dynamodb:GetItem', resource: table })).toEqual({ allowed: true });
  });

  it('denies by default what no statement allows', () => {
    expect(policy.authorize({ action: 'dynamodb:BatchWriteItem', resource: table })).toEqual({ allowed: false, reason: 'no-allow' });
    expect(policy.authorize({ action: 'dynamodb:Scan', resource: table })).toMatchObject({ allowed: false });
  });

  it('tells a table from its indexes', () => {
    expect(policy.authorize({ action: 'dynamodb:Query', resource: table })).toMatchObject({ allowed: false });
    expect(policy.authorize({ action: 'dynamodb:Query', resource: `${table}/index/byStatus` })).toEqual({ allowed: true });
    expect(policy.authorize({ action: 'dynamodb:Query', resource: `${table}/index/byLabel` })).toMatchObject({ allowed: false });
  });

  it('matches key prefixes with wildcards, case-sensitively', () => {
    expect(policy.authorize({ action: 's3:GetObject', resource: `${bucket}/uploads/abc` })).toEqual({ allowed: true });
    expect(policy.authorize({ action: 's3:GetObject', resource: `${bucket}/images/abc` })).toMatchObject({ allowed: false });
    expect(policy.authorize({ action: 's3:GetObject', resource: `${bucket}/Uploads/abc` })).toMatchObject({ allowed: false });
  });

  it('matches actions case-insensitively, with wildcards', () => {
    expect(policy.authorize({ action: 'S3:getobject', resource: `${bucket}/uploads/x` })).toEqual({ allowed: true });
    expect(policy.authorize({ action: 'rekognition:DetectModerationLabels', resource: '*' })).toEqual({ allowed: true });
    expect(policy.authorize({ action: 'rekognition:IndexFaces', resource: '*' })).toMatchObject({ allowed: false });
  });

  it('applies conditions on request context keys', () => {
    expect(policy.authorize({ action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'uploads/abc' } })).toEqual({ allowed: true });
    expect(policy.authorize({ action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'images/abc' } })).toMatchObject({ allowed: false });
    // A condition on a key the request lacks does not match.
    expect(policy.authorize({ action: 's3:ListBucket', resource: bucket })).toMatchObject({ allowed: false });
  });

  it('lets an explicit Deny win over any Allow', () => {
    const denying = compilePolicy([labelerLike, { Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: `${bucket}/uploads/secret*` }] }]);
    expect(denying.authorize({ action: 's3:GetObject', resource: `${bucket}/uploads/secret-1` })).toEqual({ allowed: false, reason: 'explicit-deny' });
    expect(denying.authorize({ action: 's3:GetObject', resource: `${bucket}/uploads/public-1` })).toEqual({ allowed: true });
  });

  it('inverts NotAction and NotResource', () => {
    const inverted = compilePolicy([{ Statement: [{ Effect: 'Allow', NotAction: 'dynamodb:Scan', NotResource: `${table}/index/*` }] }]);
    expect(inverted.authorize({ action: 'dynamodb:Query', resource: table })).toEqual({ allowed: true });
    expect(inverted.authorize({ action: 'dynamodb:Scan', resource: table })).toMatchObject({ allowed: false });
    expect(inverted.authorize({ action: 'dynamodb:Query', resource: `${table}/index/byLabel` })).toMatchObject({ allowed: false });
  });

  it('treats regular-expression characters in patterns literally', () => {
    const literal = compilePolicy([{ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/a.b/*` }] }]);
    expect(literal.authorize({ action: 's3:GetObject', resource: `${bucket}/a.b/x` })).toEqual({ allowed: true });
    expect(literal.authorize({ action: 's3:GetObject', resource: `${bucket}/aXb/x` })).toMatchObject({ allowed: false });
  });

  it('refuses, at load, what it cannot judge faithfully', () => {
    expect(() => compilePolicy([{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } } }] }])).toThrow(
      UnsupportedPolicyError,
    );
    const unresolved = { 'Fn::GetAtt': ['Table', 'Arn'] } as unknown as string;
    expect(() => compilePolicy([{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: unresolved }] }])).toThrow(/unresolved/);
  });
});
