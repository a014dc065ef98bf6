/**
 * S3's authorization of an admitted request: every action it needs
 * (authorization.ts) allowed by the signer's policy, DeleteObjects checked
 * for each key it names, and S3's answer for a missing key: 404 NoSuchKey
 * only to a caller who may list that key (s3:ListBucket with s3:prefix set to
 * it), 403 AccessDenied to anyone else, so keys cannot be probed.
 */
import type { CredentialStore } from '../iam/credentials.ts';
import { deniedMessage, principalFor, type PrincipalDirectory } from '../iam/principals.ts';
import type { AdmittedRequest } from './admission.ts';
import { deleteObjectsRequests, missingKeyProbe, s3AuthorizationRequests } from './authorization.ts';
import { s3Error, type S3Error } from './errors.ts';
import { malformedXml } from './xml-body.ts';

/** S3's refusal, or undefined when the request may go to storage. */
export async function authorizeS3Request(
  method: string,
  admitted: AdmittedRequest,
  credentials: CredentialStore | PrincipalDirectory,
  currentETag: (bucket: string, key: string) => Promise<string | undefined>,
): Promise<S3Error | undefined> {
  const principal = principalFor(credentials, admitted.accessKeyId);
  // The bucket and key admission read from the target, as the signature and storage read them; the query without SigV4's.
  const { bucket, key } = admitted.target;
  const queryAt = admitted.url.indexOf('?');
  const query = new URLSearchParams(queryAt < 0 ? '' : admitted.url.slice(queryAt + 1));
  const requests = s3AuthorizationRequests({ method, bucket, key, query, headers: admitted.headers });
  // DeleteObjects: the keys admission read from the body, the list storage deletes (delete-objects.ts). The whole
  // request is refused when any key is; S3 itself reports such keys one by one in the result.
  if (bucket !== undefined && admitted.deleteObjects !== undefined) requests.push(...deleteObjectsRequests(bucket, admitted.deleteObjects.keys));
  // A DeleteObjects by IAM's reading of the query that admission's reading (s3rver's, node:querystring, which keeps
  // the first 1,000 parameters) did not take for one: no key list was read, so nothing may pass unchecked.
  else if (bucket !== undefined && key === undefined && method === 'POST' && query.has('delete')) return malformedXml();
  const denied = deniedMessage(principal, requests);
  if (denied !== undefined) return s3Error('AccessDenied', denied);

  const readsObject = (method === 'GET' || method === 'HEAD') && bucket !== undefined && key !== undefined;
  const plainRead = readsObject && !['acl', 'tagging', 'uploadId', 'versionId'].some((name) => query.has(name));
  // Whether the key exists matters only to a caller who may not list it: the policy is asked first, without I/O.
  if (plainRead && deniedMessage(principal, [missingKeyProbe(bucket, key)]) !== undefined && (await currentETag(bucket, key)) === undefined) {
    return s3Error('AccessDenied', 'Access Denied');
  }
  return undefined;
}
