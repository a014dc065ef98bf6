/**
 * IAM for Rekognition calls: the signer needs `rekognition:<Operation>` on
 * `*` (the Detect* actions have no resource-level permissions), refused with
 * AccessDeniedException; and Rekognition reads an `Image.S3Object` with the
 * caller's own permissions, so a caller without `s3:GetObject` on that object
 * gets the InvalidS3ObjectException AWS answers for an object it cannot read.
 */
import type { CredentialStore } from '../iam/credentials.ts';
import { deniedMessage, principalFor, type PrincipalDirectory } from '../iam/principals.ts';
import { RekognitionError, RekognitionErrorCode } from './errors.ts';
import type { ReadObject } from './operations/image-source.ts';

/** @throws RekognitionError AccessDeniedException when the signer may not call `operation`. */
export function authorizeOperation(credentials: CredentialStore | PrincipalDirectory, accessKeyId: string, operation: string): void {
  const denied = deniedMessage(principalFor(credentials, accessKeyId), [{ action: `rekognition:${operation}`, resource: '*' }]);
  if (denied !== undefined) throw new RekognitionError(RekognitionErrorCode.accessDenied, denied);
}

/** `readObject` as the caller: an object it may not get reads as unreadable (image-source.ts answers InvalidS3ObjectException). */
export function callerReader(credentials: CredentialStore | PrincipalDirectory, accessKeyId: string, readObject: ReadObject): ReadObject {
  const principal = principalFor(credentials, accessKeyId);
  return async (bucket, key) => {
    if (deniedMessage(principal, [{ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${key}` }]) !== undefined) return undefined;
    return readObject(bucket, key);
  };
}
