/** The signing-key cache: the key smithy derives, per secret and scope, bounded by entry count. */
import { getSigningKey } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { NodeSha256 } from '../../api/node-sha256.ts';
import { SigningKeyCache } from '../../local/iam/signing-key-cache.ts';

const credentials = { accessKeyId: 'LKIACACHE0000000001', secretAccessKey: 'cache-secret-0123456789abcdefghijklmnop' };
const scope = { date: '20261130', region: 'us-east-1', service: 'appsync' };
const hex = (key: Uint8Array) => Buffer.from(key).toString('hex');

describe('Class: SigningKeyCache', () => {
  it('gives the key smithy derives, for this secret and scope only', async () => {
    const cache = new SigningKeyCache();
    const rotated = { ...credentials, secretAccessKey: 'rotated-secret-0123456789abcdefghijklm' };
    const derived = async (secret: typeof credentials, date = scope.date) => hex(await getSigningKey(NodeSha256, secret, date, scope.region, scope.service));

    expect(hex(await cache.keyFor(credentials, scope))).toBe(await derived(credentials));
    expect(hex(await cache.keyFor(credentials, scope))).toBe(await derived(credentials));
    expect(hex(await cache.keyFor(rotated, scope))).toBe(await derived(rotated));
    expect(hex(await cache.keyFor(credentials, { ...scope, date: '20261201' }))).toBe(await derived(credentials, '20261201'));
  });

  it('holds at most its bound, letting the oldest go', async () => {
    const cache = new SigningKeyCache(2);
    for (const date of ['20261128', '20261129', '20261130']) await cache.keyFor(credentials, { ...scope, date });
    expect(cache.size).toBe(2);
  });
});
