/**
 * NodeSha256 (api/node-sha256.ts), the publisher's hash for
 * SigV4: the same digests as @aws-crypto/sha256-js, which it replaces, and a
 * signature AppSync's verifier accepts is the same signature.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { NodeSha256 } from '../../api/node-sha256.ts';

const text = (value: string) => new TextEncoder().encode(value);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function digestOf(hash: { update(chunk: Uint8Array): void; digest(): Promise<Uint8Array> }, ...chunks: string[]) {
  for (const chunk of chunks) hash.update(text(chunk));
  return hex(await hash.digest());
}

describe('Class: NodeSha256', () => {
  it('hashes as sha256-js does, in one chunk or several', async () => {
    expect(await digestOf(new NodeSha256(), 'labelcast')).toBe(await digestOf(new Sha256(), 'labelcast'));
    expect(await digestOf(new NodeSha256(), 'label', 'cast')).toBe(await digestOf(new Sha256(), 'labelcast'));
  });

  it('computes the HMAC as sha256-js does, keyed by a string or by bytes', async () => {
    expect(await digestOf(new NodeSha256('secret'), 'message')).toBe(await digestOf(new Sha256('secret'), 'message'));
    const key = new Uint8Array([1, 2, 3, 250]);
    expect(await digestOf(new NodeSha256(key), 'message')).toBe(await digestOf(new Sha256(key), 'message'));
  });

  it('starts over after reset', async () => {
    const hash = new NodeSha256('secret');
    hash.update(text('discarded'));
    hash.reset();
    expect(await digestOf(hash, 'message')).toBe(await digestOf(new Sha256('secret'), 'message'));
  });

  it('gives SignatureV4 the signature sha256-js gives it', async () => {
    // Prepare
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const request = () =>
      new HttpRequest({ method: 'POST', protocol: 'https:', hostname: 'example.com', path: '/graphql', headers: { host: 'example.com' }, body: '{"query":"{ a }"}' });
    const signingDate = new Date('2026-01-01T00:00:00Z');
    const sign = (sha256: typeof Sha256 | typeof NodeSha256) =>
      new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials, sha256 }).sign(request(), { signingDate });

    // Act
    const [node, js] = await Promise.all([sign(NodeSha256), sign(Sha256)]);

    // Assess
    expect(node.headers.authorization).toBe(js.headers.authorization);
  });
});
