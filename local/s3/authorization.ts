/**
 * Which IAM actions an S3 REST request needs, on which resources: what IAM
 * checks for a caller's identity policy before S3 serves the request. Path
 * style only (`/bucket/key`), as the local S3 serves it.
 *
 * Reference: "Actions, resources, and condition keys for Amazon S3" (Service
 * Authorization Reference) and "Required permissions for Amazon S3 API
 * operations" (S3 User Guide).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizationRequest } from '../iam/policy.ts';
import { parseCopySource } from './request-target.ts';

export interface S3RequestTarget {
  readonly method: string;
  readonly bucket?: string;
  readonly key?: string;
  /** The query without SigV4 parameters. */
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

/** Bucket subresources and the action reading (GET) or writing (PUT/DELETE) each. */
const bucketSubresources: Readonly<Record<string, { readonly read: string; readonly write: string }>> = {
  cors: { read: 's3:GetBucketCORS', write: 's3:PutBucketCORS' },
  lifecycle: { read: 's3:GetLifecycleConfiguration', write: 's3:PutLifecycleConfiguration' },
  notification: { read: 's3:GetBucketNotification', write: 's3:PutBucketNotification' },
  policy: { read: 's3:GetBucketPolicy', write: 's3:PutBucketPolicy' },
  acl: { read: 's3:GetBucketAcl', write: 's3:PutBucketAcl' },
  versioning: { read: 's3:GetBucketVersioning', write: 's3:PutBucketVersioning' },
  website: { read: 's3:GetBucketWebsite', write: 's3:PutBucketWebsite' },
  tagging: { read: 's3:GetBucketTagging', write: 's3:PutBucketTagging' },
  encryption: { read: 's3:GetEncryptionConfiguration', write: 's3:PutEncryptionConfiguration' },
  location: { read: 's3:GetBucketLocation', write: 's3:CreateBucket' },
};

/** Object subresources likewise. */
const objectSubresources: Readonly<Record<string, { readonly read: string; readonly write: string }>> = {
  acl: { read: 's3:GetObjectAcl', write: 's3:PutObjectAcl' },
  tagging: { read: 's3:GetObjectTagging', write: 's3:PutObjectTagging' },
};

/** The copy source of a CopyObject / UploadPartCopy (request-target.ts; admission refuses one it cannot read). */
function copySource(headers: IncomingHttpHeaders): { bucket: string; key: string } | undefined {
  const raw = headers['x-amz-copy-source'];
  return typeof raw === 'string' && raw !== '' ? parseCopySource(raw) : undefined;
}

function bucketRequests(method: string, bucket: string, query: URLSearchParams): AuthorizationRequest[] {
  const resource = bucketArn(bucket);
  for (const [name, actions] of Object.entries(bucketSubresources)) {
    if (query.has(name)) return [{ action: method === 'GET' || method === 'HEAD' ? actions.read : actions.write, resource }];
  }
  if (method === 'POST' && query.has('delete')) return []; // DeleteObjects: decided per key (deleteObjectsRequests below).
  if (query.has('uploads') && method === 'GET') return [{ action: 's3:ListBucketMultipartUploads', resource }];
  switch (method) {
    case 'GET':
    case 'HEAD':
      // ListObjects(V2) and HeadBucket; s3:prefix is what a policy's condition sees.
      return [{ action: 's3:ListBucket', resource, context: { 's3:prefix': query.get('prefix') ?? '' } }];
    case 'PUT':
      return [{ action: 's3:CreateBucket', resource }];
    case 'DELETE':
      return [{ action: 's3:DeleteBucket', resource }];
    default:
      return [{ action: `s3:Unknown${method}`, resource }];
  }
}

function objectRequests(target: S3RequestTarget & { bucket: string; key: string }): AuthorizationRequest[] {
  const { method, bucket, key, query, headers } = target;
  const resource = objectArn(bucket, key);
  for (const [name, actions] of Object.entries(objectSubresources)) {
    if (query.has(name)) return [{ action: method === 'GET' || method === 'HEAD' ? actions.read : actions.write, resource }];
  }
  const version = query.has('versionId') ? 'Version' : '';
  switch (method) {
    case 'GET':
    case 'HEAD':
      // HeadObject needs s3:GetObject, as GetObject does.
      if (query.has('uploadId')) return [{ action: 's3:ListMultipartUploadParts', resource }];
      return [{ action: `s3:GetObject${version}`, resource }];
    case 'PUT': {
      const source = copySource(headers);
      const put: AuthorizationRequest = { action: 's3:PutObject', resource };
      if (source === undefined) return [put];
      return [put, { action: 's3:GetObject', resource: objectArn(source.bucket, source.key) }];
    }
    case 'POST':
      // CreateMultipartUpload (?uploads) and CompleteMultipartUpload (?uploadId) need PutObject; so does a POST upload.
      return [{ action: 's3:PutObject', resource }];
    case 'DELETE':
      if (query.has('uploadId')) return [{ action: 's3:AbortMultipartUpload', resource }];
      return [{ action: `s3:DeleteObject${version}`, resource }];
    default:
      return [{ action: `s3:Unknown${method}`, resource }];
  }
}

/** The actions and resources one S3 request needs; none for a request to the service root but ListBuckets. */
export function s3AuthorizationRequests(target: S3RequestTarget): AuthorizationRequest[] {
  const method = target.method.toUpperCase();
  if (target.bucket === undefined || target.bucket === '') return [{ action: 's3:ListAllMyBuckets', resource: '*' }];
  if (target.key === undefined || target.key === '') return bucketRequests(method, target.bucket, target.query);
  return objectRequests({ ...target, method, bucket: target.bucket, key: target.key });
}

/**
 * What IAM decides for DeleteObjects: s3:DeleteObject on each key its XML body names, one by one, as S3 does (the
 * allowed keys are deleted, each denied one reported in the result; the request itself needs no action).
 */
export function deleteObjectsRequests(bucket: string, keys: readonly string[]): AuthorizationRequest[] {
  return keys.map((key) => ({ action: 's3:DeleteObject', resource: objectArn(bucket, key) }));
}

/**
 * What S3 answers for a key that does not exist: 404 NoSuchKey to a caller
 * allowed to list it (s3:ListBucket with s3:prefix set to the key), and 403
 * AccessDenied to anyone else, so a caller cannot learn which keys exist.
 */
export function missingKeyProbe(bucket: string, key: string): AuthorizationRequest {
  return { action: 's3:ListBucket', resource: bucketArn(bucket), context: { 's3:prefix': key } };
}
