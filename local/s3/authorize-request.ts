/**
 * S3's authorization of an admitted request: every action it needs
 * (authorization.ts) allowed by the signer's policy, DeleteObjects decided
 * for each key it names (a denied key is reported in its result, not a
 * refusal of the request), and S3's answer for a missing key: 404 NoSuchKey
 * only to a caller who may list that key (s3:ListBucket with s3:prefix set to
 * it), 403 AccessDenied to anyone else, so keys cannot be probed.
 */
import type { CredentialStore } from '../iam/credentials.ts';
import { deniedMessage, principalFor, type Principal, type PrincipalDirectory } from '../iam/principals.ts';
import type { AdmittedRequest } from './admission.ts';
import { deleteObjectsRequests, missingKeyProbe, s3AuthorizationRequests } from './authorization.ts';
import type { DecidedDeleteObjects, DeleteObjectsList } from './delete-objects.ts';
import { s3Error, type S3Error } from './errors.ts';
import { malformedXml } from './xml-body.ts';

/** S3's refusal, or leave to go to storage, with IAM's decision on each key of a DeleteObjects. */
export type S3Authorization =
  | { readonly ok: false; readonly error: S3Error }
  | { readonly ok: true; readonly deleteObjects?: DecidedDeleteObjects };

const refused = (error: S3Error): S3Authorization => ({ ok: false, error });

/** IAM's decision on s3:DeleteObject for each key of the list, in its order. */
function decideDeleteObjects(principal: Principal, bucket: string, list: DeleteObjectsList): DecidedDeleteObjects {
  const decisions = deleteObjectsRequests(bucket, list.keys).map((request) => principal.authorize(request).allowed);
  return { quiet: list.quiet, keys: list.keys.map((key, index) => ({ key, allowed: decisions[index] })) };
}

export async function authorizeS3Request(
  method: string,
  admitted: AdmittedRequest,
  credentials: CredentialStore | PrincipalDirectory,
  currentETag: (bucket: string, key: string) => Promise<string | undefined>,
): Promise<S3Authorization> {
  const principal = principalFor(credentials, admitted.accessKeyId);
  // The bucket and key admission read from the target, as the signature and storage read them; the query without SigV4's.
  const { bucket, key } = admitted.target;
  const queryAt = admitted.url.indexOf('?');
  const query = new URLSearchParams(queryAt < 0 ? '' : admitted.url.slice(queryAt + 1));
  const requests = s3AuthorizationRequests({ method, bucket, key, query, headers: admitted.headers });
  // A DeleteObjects by IAM's reading of the query that admission's reading (s3rver's, node:querystring, which keeps
  // the first 1,000 parameters) did not take for one: no key list was read, so nothing may pass unchecked.
  const deleteList = admitted.deleteObjects;
  if (deleteList === undefined && bucket !== undefined && key === undefined && method === 'POST' && query.has('delete')) {
    return refused(malformedXml());
  }
  const denied = deniedMessage(principal, requests);
  if (denied !== undefined) return refused(s3Error('AccessDenied', denied));
  // DeleteObjects: the keys admission read from the body, the list storage deletes (delete-objects.ts), each decided
  // here, the one IAM check of them. S3 deletes the allowed keys and reports each denied one in the result.
  if (bucket !== undefined && deleteList !== undefined) {
    // A signer with no principal (a directory that verified its signature holds one for it) may do nothing: refused whole.
    if (principal === undefined) return refused(s3Error('AccessDenied', deniedMessage(principal, deleteObjectsRequests(bucket, deleteList.keys)) ?? 'Access Denied'));
    return { ok: true, deleteObjects: decideDeleteObjects(principal, bucket, deleteList) };
  }

  const readsObject = (method === 'GET' || method === 'HEAD') && bucket !== undefined && key !== undefined;
  const plainRead = readsObject && !['acl', 'tagging', 'uploadId', 'versionId'].some((name) => query.has(name));
  // Whether the key exists matters only to a caller who may not list it: the policy is asked first, without I/O.
  if (plainRead && deniedMessage(principal, [missingKeyProbe(bucket, key)]) !== undefined && (await currentETag(bucket, key)) === undefined) {
    return refused(s3Error('AccessDenied', 'Access Denied'));
  }
  return { ok: true };
}
