/**
 * What DynamoDB checks before it runs an operation: a valid SigV4 signature
 * (service `dynamodb`, body hash included) by a known key pair, then the
 * signer's policy for each action and resource the request needs
 * (./authorization.ts). The body is parsed only after the signature holds
 * (./body-shape.ts, which refuses the shapes DynamoDB refuses). Both the socket front and in-process callers go
 * through it, so neither path accepts a forged or foreign signature.
 *
 * Refusals are DynamoDB's: HTTP 400 and a JSON 1.0 body whose `__type` is
 * `com.amazon.coral.service#<Exception>`, with `message` (signature errors) or
 * `Message` (AccessDeniedException), as DynamoDB sends them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CredentialStore } from '../iam/credentials.ts';
import { signatureErrorOf } from '../iam/json-service-errors.ts';
import { deniedMessage, localAccountId, principalFor, type PrincipalDirectory } from '../iam/principals.ts';
import { verifySigV4, type SigV4Failure } from '../iam/sigv4.ts';
import { dynamoDbAuthorizationRequests } from './authorization.ts';
import { readJsonBody } from './body-shape.ts';
import type { DynamoDbHttpResponse, DynamoDbTransport } from './in-process.ts';

export interface DynamoDbAuthOptions {
  /** The key pairs DynamoDB accepts; a PrincipalDirectory also says what each may do (a plain store: the administrator). */
  readonly credentials: CredentialStore | PrincipalDirectory;
  readonly region: string;
}

const targetPrefix = 'DynamoDB_20120810.';

/** Signature failures as DynamoDB words them (it names the missing token its own way). */
const missingTokenMessage = 'Request is missing Authentication Token';

export function dynamoDbRefusal(exception: string, message: string, messageField: 'message' | 'Message' = 'message'): DynamoDbHttpResponse {
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${exception}`, [messageField]: message });
  return {
    statusCode: 400,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-requestid': randomBytes(26).toString('base64url').slice(0, 52).toUpperCase(),
    },
    body,
  };
}

/** A failed signature check as DynamoDB answers it. */
export function signatureRefusal(failure: SigV4Failure): DynamoDbHttpResponse {
  const { code, message } = signatureErrorOf(failure);
  return dynamoDbRefusal(code, failure.code === 'MissingAuthenticationToken' ? missingTokenMessage : message);
}

/** `transport` behind DynamoDB's authentication and authorization; requests other than POST (health, CORS) pass as they are. */
export function authorizingTransport(transport: DynamoDbTransport, options: DynamoDbAuthOptions): DynamoDbTransport {
  return async (request) => {
    if (request.method.toUpperCase() !== 'POST') return transport(request);
    const verified = await verifySigV4(
      { method: 'POST', url: request.path, headers: request.headers, payloadHash: createHash('sha256').update(request.body).digest('hex') },
      { credentials: options.credentials, service: 'dynamodb', region: options.region },
    );
    if (!verified.ok) return signatureRefusal(verified);
    // Only now is the body read as JSON: its shape refused as DynamoDB refuses it (body-shape.ts), its parse kept.
    const reading = readJsonBody(request);
    if ('refusal' in reading) return reading.refusal;
    const target = request.headers['x-amz-target'] ?? '';
    // An unknown target or a body that is not JSON: DynamoDB's own validation answers, after authentication.
    const body = reading.input;
    if (!target.startsWith(targetPrefix) || body === undefined) return transport(request);
    const requests = dynamoDbAuthorizationRequests(target.slice(targetPrefix.length), body, { region: options.region, accountId: localAccountId });
    const principal = principalFor(options.credentials, verified.accessKeyId);
    const denied = deniedMessage(principal, requests);
    if (denied !== undefined) return dynamoDbRefusal('AccessDeniedException', denied, 'Message');
    return transport({ ...request, principalArn: principal?.arn, parsedBody: { of: request.body, input: body } });
  };
}
