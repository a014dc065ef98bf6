// A DynamoDB JSON 1.0 request signed as the AWS SDK signs it, for tests that send it by hand.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DynamoDbHttpRequest } from '../../local/dynamodb/index.ts';
import type { LocalCredentials } from '../../local/iam/credentials.ts';

export async function signedDynamoDbRequest(
  endpoint: string,
  operation: string,
  /** The operation's input, or a body sent as it is (one that is not valid JSON, say). */
  input: object | string,
  signing: { readonly region: string; readonly credentials: LocalCredentials },
): Promise<DynamoDbHttpRequest & { readonly headers: Readonly<Record<string, string>> & { readonly authorization: string } }> {
  const url = new URL(endpoint);
  const body = typeof input === 'string' ? input : JSON.stringify(input);
  const signer = new SignatureV4({ service: 'dynamodb', region: signing.region, credentials: { ...signing.credentials }, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body,
    }),
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { method: 'POST', path: '/', headers: headers as Record<string, string> & { authorization: string }, body };
}
