/**
 * SigV4 signing keys derived once per credential and scope, as AWS SDKs
 * keep them: deriving one costs four HMACs (five through smithy, which
 * hashes the secret for its own cache key), and every request of a day
 * from one client shares the same key. An entry remembers the secret it
 * was derived from and is used only for that secret, so a wrong or rotated
 * secret is derived afresh, never served from here. Bounded by entry count;
 * the oldest entry leaves first.
 */
import { getSigningKey } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { NodeSha256 } from '../../api/node-sha256.ts';

/** The scope a signing key is derived for: credential date (yyyymmdd), region and service. */
export interface SigningScope {
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

interface CachedKey {
  readonly secretAccessKey: string;
  readonly key: Uint8Array;
}

export class SigningKeyCache {
  private readonly entries = new Map<string, CachedKey>();

  public constructor(private readonly maxEntries = 64) {}

  /** The signing key for `credentials` in `scope`, derived unless this very secret's key is held. */
  public async keyFor(credentials: AwsCredentialIdentity, scope: SigningScope): Promise<Uint8Array> {
    const cacheKey = `${credentials.accessKeyId}\n${scope.date}\n${scope.region}\n${scope.service}`;
    const cached = this.entries.get(cacheKey);
    if (cached && cached.secretAccessKey === credentials.secretAccessKey) return cached.key;
    const key = await getSigningKey(NodeSha256, credentials, scope.date, scope.region, scope.service);
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, { secretAccessKey: credentials.secretAccessKey, key });
    // Maps iterate in insertion order: the first key is the oldest.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return key;
  }

  public get size(): number {
    return this.entries.size;
  }
}
