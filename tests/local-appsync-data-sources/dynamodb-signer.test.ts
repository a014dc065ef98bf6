/**
 * The data source's DynamoDB signer (local/appsync/data-sources/dynamodb-signer.ts)
 * must sign exactly as the AWS SDK's SigV4 signer does, and what it signs
 * must pass the local DynamoDB's verification.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { dynamoDbSigner, longDateOf } from '../../local/appsync/data-sources/dynamodb-signer.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { verifySigV4 } from '../../local/iam/sigv4.ts';
import { createHash } from 'node:crypto';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'LKIASIGNERTEST00001', secretAccessKey: 'signer-secret-0123456789abcdefghijklmnop' };

/** What the AWS SDK's signer sends for the same request. */
async function sdkHeaders(host: string, target: string, body: string, signingDate: Date): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'dynamodb', region, credentials, sha256: Sha256 });
  const [hostname, port] = host.split(':');
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname,
      port: port === undefined ? undefined : Number(port),
      path: '/',
      headers: { host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body,
    }),
    { signingDate },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

describe('Function: dynamoDbSigner', () => {
  it('sends the headers and signature the AWS SDK signer sends, across days and bodies', async () => {
    // Prepare: one signer for every request, as a data source has (its signing key is kept per day).
    const signer = dynamoDbSigner({ region, credentials });
    const requests = [
      { host: '127.0.0.1:4567', target: 'DynamoDB_20120810.PutItem', body: '{"TableName":"t","Item":{"pk":{"S":"a"}}}', signingDate: new Date('2026-11-30T23:59:59.999Z') },
      { host: '127.0.0.1:4567', target: 'DynamoDB_20120810.Query', body: '{"TableName":"t","Label":"Café ☕ 𝄞"}', signingDate: new Date('2026-12-01T00:00:00.000Z') },
      { host: 'dynamodb.eu-west-1.amazonaws.com', target: 'DynamoDB_20120810.GetItem', body: '', signingDate: new Date('2026-12-01T08:30:15.000Z') },
    ];
    for (const request of requests) {
      // Act
      const headers = signer.sign(request);
      // Assess
      expect(headers, request.target).toEqual(await sdkHeaders(request.host, request.target, request.body, request.signingDate));
    }
  });

  it('signs what the local DynamoDB verifies, and a changed body fails verification', async () => {
    const signer = dynamoDbSigner({ region, credentials });
    const body = '{"TableName":"t"}';
    const headers = signer.sign({ host: '127.0.0.1:4567', target: 'DynamoDB_20120810.DescribeTable', body });
    const verify = (sent: string) =>
      verifySigV4(
        { method: 'POST', url: '/', headers, payloadHash: createHash('sha256').update(sent).digest('hex') },
        { credentials: credentialStore(credentials), service: 'dynamodb', region },
      );
    expect(await verify(body)).toMatchObject({ ok: true, accessKeyId: credentials.accessKeyId });
    expect(await verify('{"TableName":"u"}')).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('refuses a header value that is not in canonical form instead of signing it wrong', () => {
    const signer = dynamoDbSigner({ region, credentials });
    expect(() => signer.sign({ host: '127.0.0.1:4567', target: ' DynamoDB_20120810.PutItem', body: '{}' })).toThrow(/not in canonical form/);
    expect(() => signer.sign({ host: '127.0.0.1  :4567', target: 'DynamoDB_20120810.PutItem', body: '{}' })).toThrow(/not in canonical form/);
  });
});

describe('Function: longDateOf', () => {
  it('writes ISO 8601 basic format to the second', () => {
    expect(longDateOf(new Date('2026-03-04T05:06:07.891Z'))).toBe('20260304T050607Z');
  });
});
