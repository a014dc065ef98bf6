/**
 * How AWS's JSON services (Rekognition, Lambda, …; not S3) name and word a
 * failed signature check. Each service sends them with its own HTTP status
 * and body shape.
 */
import type { SigV4Failure } from './sigv4.ts';

export const SignatureErrorCode = {
  accessDenied: 'AccessDeniedException',
  incompleteSignature: 'IncompleteSignatureException',
  invalidSignature: 'InvalidSignatureException',
  missingAuthenticationToken: 'MissingAuthenticationTokenException',
  unrecognizedClient: 'UnrecognizedClientException',
} as const;
export type SignatureErrorCode = (typeof SignatureErrorCode)[keyof typeof SignatureErrorCode];

export function signatureErrorOf(failure: SigV4Failure): { readonly code: SignatureErrorCode; readonly message: string } {
  switch (failure.code) {
    case 'MissingAuthenticationToken':
      return { code: SignatureErrorCode.missingAuthenticationToken, message: 'Missing Authentication Token' };
    case 'IncompleteSignature':
      return { code: SignatureErrorCode.incompleteSignature, message: failure.message };
    case 'InvalidAccessKeyId':
    case 'InvalidToken':
      return { code: SignatureErrorCode.unrecognizedClient, message: 'The security token included in the request is invalid.' };
    case 'AccessDenied':
      return { code: SignatureErrorCode.accessDenied, message: failure.message };
    case 'SignatureDoesNotMatch':
      return {
        code: SignatureErrorCode.invalidSignature,
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      };
    case 'RequestExpired':
    case 'RequestTimeTooSkewed':
      return { code: SignatureErrorCode.invalidSignature, message: failure.message };
  }
}
